import Foundation
import Synchronization

/// A port that never answers: a listening socket that nobody accepts from, whose (tiny) backlog is filled with
/// connections first. The kernel then drops further SYNs, so a client's connect times out exactly as it does
/// behind a firewall that drops packets (no RST, unlike a closed port). `stop()` closes everything.
public final class BlackholeListener: Sendable {
    public let port: Int
    private let sockets: Mutex<[Int32]>

    public init() throws {
        let listener = try Socket.listen(backlog: 0)
        var held = [listener]
        do {
            port = try Socket.localPort(listener)
            // Connect until one connection stays pending: that one proves the backlog is full.
            var pending = false
            for _ in 0..<32 where !pending {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else { throw StandInError.posix("socket") }
                held.append(fd)
                var address = Socket.loopback(port: UInt16(port))
                let rc = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                if rc == 0 { continue }
                guard errno == EINPROGRESS else { throw StandInError.posix("connect to the blackhole") }
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                // Loopback handshakes complete in microseconds; one that has not after 300 ms was dropped.
                if poll(&poller, 1, 300) == 0 { pending = true }
            }
            guard pending else { throw StandInError("could not fill the listen backlog of port \(port)") }
        } catch {
            held.forEach { close($0) }
            throw error
        }
        sockets = Mutex(held)
    }

    deinit { stop() }

    public func stop() {
        let fds = sockets.withLock { s -> [Int32] in defer { s = [] }; return s }
        fds.forEach { close($0) }
    }
}
