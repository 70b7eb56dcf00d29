import FoundationEssentials
import Glibc

/// Reads client secrets (and the API token) from their file or environment variable at the moment they are
/// needed. The value is registered with the `Redactor` before it is returned, so it can never reach a log line.
public enum SecretReader {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// File mode bits, when the file can be stat'ed.
    public static func mode(ofFile path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    public static func read(_ source: SecretSource, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let value: String
        switch source {
        case .file(let path):
            value = try readFile(path)
        case .environment(let name):
            guard let raw = environment[name], !raw.trimmingSpacesAndNewlines.isEmpty else {
                throw Failure(description: "environment variable \"\(name)\" is not set or empty")
            }
            value = raw.trimmingSpacesAndNewlines
        case .credential(let name):
            value = try readFile(try credentialPath(name, environment: environment))
        }
        Redactor.shared.register(value)
        return value
    }

    /// The variable systemd sets to the directory holding the unit's credentials (`LoadCredential=`).
    public static let credentialsDirectoryVariable = "CREDENTIALS_DIRECTORY"

    /// Where the systemd credential `name` is: `$CREDENTIALS_DIRECTORY/name`; errors say what the unit lacks.
    public static func credentialPath(_ name: String, environment: [String: String]) throws -> String {
        guard let directory = environment[credentialsDirectoryVariable], !directory.isEmpty else {
            throw Failure(description: "systemd credential \"\(name)\": $\(credentialsDirectoryVariable) is not set; run secretwatch from a unit with LoadCredential=\(name):/etc/secretwatch/client-secret, or use client_secret_file")
        }
        let path = (directory.hasSuffix("/") ? directory : directory + "/") + name
        guard access(path, F_OK) == 0 || errno != ENOENT else {
            throw Failure(description: "systemd credential \"\(name)\" is not in $\(credentialsDirectoryVariable) (\(path) does not exist); the unit needs LoadCredential=\(name):/etc/secretwatch/client-secret")
        }
        return path
    }

    /// The file's content without its trailing newline; errors name the file and the system's reason. Only a
    /// regular file is read (a FIFO or a device is refused before anything is read from it).
    static func readFile(_ path: String) throws -> String {
        let data: Data
        do {
            data = try RegularFile.read(path, limit: 64 * 1024)
        } catch {
            throw Failure(description: error.isTooLarge ? "\(error.description): not a client secret file" : error.description)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(description: "\"\(path)\" is not UTF-8 text")
        }
        let trimmed = text.trimmingSpacesAndNewlines
        guard !trimmed.isEmpty else {
            throw Failure(description: "\"\(path)\" is empty")
        }
        guard !trimmed.contains(where: \.isNewline) else {
            throw Failure(description: "\"\(path)\" holds more than one line; it must hold only the secret value")
        }
        return trimmed
    }
}

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
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
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
