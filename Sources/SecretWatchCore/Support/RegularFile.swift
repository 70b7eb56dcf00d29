import Foundation

/// Reads a whole file that must be a regular file. The file is opened without blocking and checked before any
/// read: a FIFO, a device or a socket named where a file belongs would otherwise block the reader forever (a
/// FIFO with no writer) or never end (`/dev/zero`).
public enum RegularFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        /// The file is readable but larger than the limit.
        public var isTooLarge = false
    }

    /// The file's bytes; errors name the file and what is wrong with it. More than `limit` bytes is an error.
    public static func read(_ path: String, limit: Int) throws(Failure) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            throw Failure(description: "cannot read \"\(path)\": \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Failure(description: "cannot read \"\(path)\": \(String(cString: strerror(errno)))")
        }
        if let kind = kind(info.st_mode) {
            throw Failure(description: kind == "a directory" ? "\"\(path)\" is a directory, not a file"
                                                              : "\"\(path)\" is not a regular file (it is \(kind))")
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot read \"\(path)\": \(String(cString: strerror(errno)))")
            }
            if n == 0 { return data }
            data.append(contentsOf: buffer[0..<n])
            if data.count > limit {
                throw Failure(description: "\"\(path)\" is larger than \(describe(bytes: limit))", isTooLarge: true)
            }
        }
    }

    /// What a non-regular file is, or nil for a regular file.
    static func kind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    static func describe(bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }
}
