import Foundation

/// A port on 127.0.0.1 where nothing listens: the socket is bound (so no other process gets the port while the
/// test runs) but never listens, and the kernel answers every connect with a reset ("connection refused").
public final class RefusingPort: Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw StandInError.posix("socket") }
        var address = Socket.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = errno; close(fd); throw StandInError.posix("bind 127.0.0.1:0", e) }
        do {
            port = try Socket.localPort(fd)
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
