import Foundation

/// A stand-in could not be set up or a connection failed: what was being done, and the library's or system's
/// reason (OpenSSL error queue text or `strerror`).
public struct StandInError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// The NUL-terminated text a C function wrote into `buffer`.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A failed system call: `what` plus errno's text and number.
    static func posix(_ what: String, _ code: Int32 = errno) -> StandInError {
        StandInError("\(what): \(String(cString: strerror(code))) (errno \(code))")
    }
}

/// The few socket calls the stand-ins make, each checked.
enum Socket {
    /// A listening TCP socket on 127.0.0.1 and `port` (0: a port the kernel picks).
    static func listen(backlog: Int32, port: Int = 0) throws -> Int32 {
        let fd = try bound(port: port)
        guard Glibc.listen(fd, backlog) == 0 else { let e = errno; close(fd); throw StandInError.posix("listen", e) }
        return fd
    }

    /// A TCP socket bound (with SO_REUSEADDR) to 127.0.0.1 and `port`, not listening: connects to it are refused.
    static func bound(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw StandInError.posix("socket") }
        var one: Int32 = 1
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            let e = errno; close(fd); throw StandInError.posix("setsockopt SO_REUSEADDR", e)
        }
        var address = loopback(port: UInt16(port))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = errno; close(fd); throw StandInError.posix("bind 127.0.0.1:\(port)", e) }
        return fd
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func localPort(_ fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw StandInError.posix("getsockname") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func setReadTimeout(_ fd: Int32, _ seconds: TimeInterval) throws {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw StandInError.posix("setsockopt SO_RCVTIMEO")
        }
    }
}
