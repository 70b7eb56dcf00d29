import Foundation
import Synchronization

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

/// An HTTP proxy stand-in that refuses every request and CONNECT with `407 Proxy Authentication Required`
/// (a proxy whose credentials are missing or wrong).
public final class ProxyStandIn: Sendable {
    private let server: StandInServer

    public init() throws {
        server = try StandInServer { connection in
            guard try HTTPRequest.read(from: connection) != nil else { return }
            try connection.write(TokenStandIn.head(407, contentType: "text/plain", length: 0,
                                                   extra: ["Proxy-Authenticate: Basic realm=\"stand-in proxy\"", "Connection: close"]))
        }
    }

    deinit { stop() }

    public var port: Int { server.port }
    public var url: String { "http://127.0.0.1:\(port)" }
    public var connectionCount: Int { server.connectionCount }

    public func stop() { server.stop() }
}
