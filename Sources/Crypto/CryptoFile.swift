import FoundationEssentials
import Glibc
internal import CSecretWatchOpenSSL

/// Reads a certificate or key file whole. Only a regular file is read: it is opened without blocking and checked
/// before any read, so a FIFO or a device named where a file belongs cannot hang or flood the reader.
enum CryptoFile {
    /// Certificate files: a CA bundle of every public root is about 200 KiB.
    static let certificateLimit = 4 << 20
    /// Key files: a 16,384-bit RSA key in PEM is under 13 KiB.
    static let keyLimit = 64 << 10

    /// The file's bytes. More than `limit` bytes, a non-regular file or a failed read is `file_unreadable`.
    static func read(_ path: String, limit: Int) throws(CryptoError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw .fileUnreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .fileUnreadable(path, String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .fileUnreadable(path, info.st_mode & S_IFMT == S_IFDIR ? "it is a directory" : "it is not a regular file")
        }
        var bytes: [UInt8] = []
        // Sized from the start so the bytes are not copied while growing (a key must not leave stray copies).
        bytes.reserveCapacity(min(Int(info.st_size), limit) + 1)
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        defer { wipe(&chunk) }
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                wipe(&bytes)
                throw .fileUnreadable(path, String(cString: strerror(errno)))
            }
            if n == 0 { break }
            if bytes.count + n > limit {
                wipe(&bytes)
                throw .fileUnreadable(path, "larger than \(limit >> 10) KiB")
            }
            bytes.append(contentsOf: chunk[0..<n])
        }
        guard !bytes.isEmpty else { throw .fileUnreadable(path, "the file is empty") }
        return bytes
    }

    /// Overwrites `bytes` with zeros in a way the optimiser keeps (`OPENSSL_cleanse`).
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { OPENSSL_cleanse(base, raw.count) }
        }
    }
}
