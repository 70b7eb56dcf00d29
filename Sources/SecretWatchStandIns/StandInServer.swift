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
            // Not inherited by a child another thread of this process spawns: it would hold the connection open.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
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

/// One accepted connection of a stand-in server, plaintext or TLS, with line and byte reads. Used only by the
/// thread that handles it. `startTLS` upgrades a plaintext connection in place (SMTP STARTTLS).
public final class StandInConnection {
    let fd: Int32
    private var tls: TLSSession?
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    public var isTLS: Bool { tls != nil }

    /// Runs the server side of a TLS handshake now. Nothing may be buffered (the client waits for our reply
    /// before it starts the handshake).
    public func startTLS(_ context: TLSServerContext) throws {
        precondition(buffer.isEmpty, "startTLS with unread plaintext")
        tls = try context.accept(fd: fd)
    }

    /// One line without its CR LF; nil when the peer closed first. Lines longer than `limit` throw.
    public func readLine(limit: Int = 64 * 1024) throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count <= limit else { throw StandInError("line longer than \(limit) bytes") }
            guard try fill() else { return nil }
        }
    }

    /// One line as raw bytes, with its line end (LF or CR LF) as received; nil when the peer closed before a
    /// complete line. For SMTP DATA, which must be kept byte for byte. Lines longer than `limit` throw.
    public func readRawLine(limit: Int = 64 * 1024) throws -> [UInt8]? {
        var scanned = 0
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = Array(buffer[...newline])
                buffer.removeFirst(newline + 1)
                return line
            }
            scanned = buffer.count
            guard buffer.count <= limit else { throw StandInError("line longer than \(limit) bytes") }
            guard try fill() else { return nil }
        }
    }

    /// Bytes received but not read yet (a client that pipelines commands after STARTTLS).
    public var hasBufferedInput: Bool { !buffer.isEmpty }

    /// Exactly `count` bytes (fewer only when the peer closed).
    public func read(count: Int) throws -> Data {
        while buffer.count < count {
            guard try fill() else { break }
        }
        let n = min(count, buffer.count)
        defer { buffer.removeFirst(n) }
        return Data(buffer[..<n])
    }

    public func write(_ text: String) throws { try write(Data(text.utf8)) }

    public func write(_ data: Data) throws {
        if let tls { return try tls.write(data) }
        try data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = send(fd, raw.baseAddress! + done, raw.count - done, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StandInError.posix("send")
                }
                done += n
            }
        }
    }

    /// Ends TLS (close_notify) if any; the server closes the socket.
    func finish() { tls = nil }

    /// Reads more bytes into the buffer; false when the peer closed.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n: Int = try chunk.withUnsafeMutableBytes { raw in
            if let tls { return try tls.read(into: raw) }
            while true {
                let n = recv(fd, raw.baseAddress, raw.count, 0)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw StandInError.posix("recv") }
                return n
            }
        }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }
}
