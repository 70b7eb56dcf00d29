import Foundation
@testable import SecretWatchCore

/// The receiving end of the `sd_notify` protocol, as systemd binds it: a unix datagram socket at a path, or at
/// an abstract name (`@name`). `receive` waits on a Dispatch thread (bounded by a socket timeout).
final class NotifySocket: @unchecked Sendable {
    let fd: Int32
    /// What `NOTIFY_SOCKET` must be set to.
    let address: String
    /// The path is ours to unlink only once bind made it.
    private var bound = false

    init(path: String? = nil, abstractName: String? = nil) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8]
        if let abstractName {
            address = "@" + abstractName
            bytes = [0] + Array(abstractName.utf8)
        } else {
            let path = path ?? "/tmp/sw-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            address = path
            bytes = Array(path.utf8) + [0]
        }
        withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let rc = withUnsafePointer(to: &sun) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard rc == 0 else {
            // deinit closes `fd`: the object is complete here, so a close of our own would be a second one.
            throw TestFailure("bind \(address): \(String(cString: strerror(errno)))")
        }
        bound = true
    }

    deinit {
        close(fd)
        if bound && !address.hasPrefix("@") { unlink(address) }
    }

    /// The next datagram, or nil when none came within `timeout` seconds.
    func receive(timeout: Int = Int(Patience.seconds)) async -> String? {
        let fd = self.fd
        return await BlockingExecutor.run { () -> String? in
            var limit = timeval(tv_sec: timeout, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }
    }

    /// Datagrams until one starting with `prefix` (returned), or nil after `timeout` seconds without one.
    func receive(startingWith prefix: String, timeout: Int = Int(Patience.seconds)) async -> String? {
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        while Date() < deadline {
            guard let message = await receive(timeout: max(1, Int(deadline.timeIntervalSinceNow.rounded(.up)))) else { return nil }
            if message.hasPrefix(prefix) { return message }
        }
        return nil
    }
}
