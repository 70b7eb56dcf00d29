import Foundation
import Synchronization

/// A blocking TCP server on 127.0.0.1 and a random port: one thread accepts, one thread per connection runs
/// `handler`. With a TLS context the handshake runs before the handler (a handshake failure is counted and the
/// connection closed). `stop()` (or deinit) shuts every socket down and waits for every thread: no leaked
/// threads, sockets or ports.
public final class StandInServer: Sendable {
    public typealias Handler = @Sendable (StandInConnection) throws -> Void

    public let port: Int
    private let listenFD: Int32
    private let state = Mutex(State())
    private let threads = DispatchGroup()

    private struct State {
        var stopped = false
        var open: Set<Int32> = []
        var connections = 0
        var handshakeFailures: [String] = []
        var handlerErrors: [String] = []
    }

    /// - Parameter readTimeout: a silent client is dropped after this long, so no handler waits forever.
    /// - Parameter port: a fixed port on 127.0.0.1 (0: one the kernel picks).
    public init(tls: TLSServerContext? = nil, port: Int = 0, backlog: Int32 = 64, readTimeout: TimeInterval = 15,
                handler: @escaping Handler) throws {
        Self.ignoreSIGPIPE
        let fd = try Socket.listen(backlog: backlog, port: port)
        listenFD = fd
        self.port = try Socket.localPort(fd)
        threads.enter()
        Thread.detachNewThread { [self] in
            defer { threads.leave() }
            acceptLoop(tls: tls, readTimeout: readTimeout, handler: handler)
        }
    }

    deinit { stop() }

    /// Connections accepted so far.
    public var connectionCount: Int { state.withLock { $0.connections } }
    /// Why TLS handshakes failed (the client refused our certificate, or spoke an old TLS version).
    public var handshakeFailures: [String] { state.withLock { $0.handshakeFailures } }
    /// Errors handlers threw (a client that went away mid-answer, usually on purpose in tests).
    public var handlerErrors: [String] { state.withLock { $0.handlerErrors } }

    /// Stops accepting, cuts every open connection and waits until every thread has ended. Idempotent.
    public func stop() {
        let open: Set<Int32>? = state.withLock { s in
            guard !s.stopped else { return nil }
            s.stopped = true
            return s.open
        }
        guard let open else { return }
        shutdown(listenFD, Int32(SHUT_RDWR)) // wakes accept()
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) } // wakes blocked reads and writes
        threads.wait()
        close(listenFD)
    }

    private func acceptLoop(tls: TLSServerContext?, readTimeout: TimeInterval, handler: @escaping Handler) {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return // shut down (or a fatal error): stop accepting
            }
            let admitted = state.withLock { s -> Bool in
                guard !s.stopped else { return false }
                s.open.insert(fd)
                s.connections += 1
                return true
            }
            guard admitted else { close(fd); return }
            do {
                try Socket.setReadTimeout(fd, readTimeout)
            } catch {
                // Without a read timeout a silent client could hold stop() forever: refuse the connection.
                state.withLock { s in s.handlerErrors.append("\(error)"); s.open.remove(fd) }
                close(fd)
                continue
            }
            threads.enter()
            Thread.detachNewThread { [self] in
                defer { threads.leave() }
                serve(fd: fd, tls: tls, handler: handler)
            }
        }
    }

    private func serve(fd: Int32, tls: TLSServerContext?, handler: Handler) {
        let connection = StandInConnection(fd: fd)
        do {
            if let tls {
                do {
                    try connection.startTLS(tls)
                } catch {
                    state.withLock { $0.handshakeFailures.append("\(error)") }
                    throw error
                }
            }
            try handler(connection)
        } catch {
            state.withLock { $0.handlerErrors.append("\(error)") }
        }
        connection.finish()
        state.withLock { _ = $0.open.remove(fd) }
        close(fd)
    }

    /// A peer that closes while we write must not kill the (test) process.
    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN); return () }()
}
