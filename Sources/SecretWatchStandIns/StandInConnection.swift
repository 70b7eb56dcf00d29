import Foundation

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
