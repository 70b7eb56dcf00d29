import Foundation
@testable import SecretWatchCore

/// A tiny HTTP/1.1 proxy on a free loopback port in front of `upstreamPort`: every request is forwarded on a fresh
/// upstream connection and its answer passed back, except the first one's, which it holds for `holdFirst` seconds
/// and then drops without answering — what a sender sees when the receiver commits but answers too late (its
/// timeout, then its retry). Requests with a Content-Length body only (what Alertmanager sends). Each client
/// connection is served on its own thread; nothing here runs on the cooperative pool. The threads hold the proxy
/// until `stop()`, which a test calls when done.
final class HoldingProxy: @unchecked Sendable {
    // `@unchecked Sendable`: mutable state only under `lock`.
    struct Exchange: Sendable {
        var path: String
        var status: Int
        var body: String
        var answered: Bool
    }

    let port: Int
    private let upstreamPort: Int
    private let holdFirst: TimeInterval
    private let listener: Int32
    private let lock = NSLock()
    private var clients: Set<Int32> = []
    private var seen: [Exchange] = []
    private var stopped = false

    init(upstreamPort: Int, holdFirst: TimeInterval) throws {
        self.upstreamPort = upstreamPort
        self.holdFirst = holdFirst
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listener = listener
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok else {
            Glibc.close(listener)
            throw TestFailure("proxy: cannot listen: \(String(cString: strerror(errno)))")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Every request forwarded so far: the upstream's status and body, and whether the client got them.
    var exchanges: [Exchange] { lock.lock(); defer { lock.unlock() }; return seen }

    func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        let open = clients
        lock.unlock()
        guard !wasStopped else { return }
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        for fd in open { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            lock.lock()
            if stopped { lock.unlock(); Glibc.close(fd); return }
            clients.insert(fd)
            lock.unlock()
            Thread.detachNewThread { [self] in serve(fd) }
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            lock.lock(); clients.remove(fd); lock.unlock()
            Glibc.close(fd)
        }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer: [UInt8] = []
        while let request = Self.readRequest(fd, &buffer) {
            guard let upstream = try? TestConnection(port: upstreamPort, timeout: 30),
                  (try? upstream.send(request.bytes)) != nil,
                  let answer = try? upstream.readResponse() else { return }
            lock.lock()
            let first = seen.isEmpty
            seen.append(Exchange(path: request.path, status: answer.status, body: answer.text, answered: !first || holdFirst <= 0))
            lock.unlock()
            if first && holdFirst > 0 {
                Thread.sleep(forTimeInterval: holdFirst)
                return
            }
            var head = "HTTP/1.1 \(answer.status) Relayed\r\n"
            for (name, value) in answer.headers where !["content-length", "transfer-encoding", "connection"].contains(name) {
                head += "\(name): \(value)\r\n"
            }
            head += "Content-Length: \(answer.body.count)\r\n\r\n"
            let bytes = Array(head.utf8) + answer.body
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == bytes.count else { return }
        }
    }

    /// One request (head and Content-Length body) from `fd`, or nil when the client closed or went silent.
    private static func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> (path: String, bytes: [UInt8])? {
        func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return false }
            buffer += chunk[0..<n]
            return true
        }
        let terminator: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            end = buffer.count < 4 ? nil : (0...(buffer.count - 4)).first { buffer[$0..<($0 + 4)].elementsEqual(terminator) }
            if end == nil && !fill() { return nil }
        }
        let head = String(decoding: buffer[0..<end!], as: UTF8.self)
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        let total = end! + 4 + length
        while buffer.count < total { if !fill() { return nil } }
        let bytes = Array(buffer[0..<total])
        buffer.removeFirst(total)
        let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        return (path, bytes)
    }
}
