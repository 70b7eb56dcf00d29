import FoundationEssentials
import Glibc

/// The `sd_notify` protocol without libsystemd: one datagram of `KEY=VALUE` lines to the unix socket named by
/// `$NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace). Without the variable (not started by
/// systemd with `Type=notify`) every message is dropped. Sending never blocks and never throws: a lost
/// notification is systemd's to time out on, not a reason to stop the daemon.
public struct SystemdNotifier: Sendable {
    public static let socketVariable = "NOTIFY_SOCKET"
    public static let watchdogVariable = "WATCHDOG_USEC"
    public static let watchdogPIDVariable = "WATCHDOG_PID"

    /// The socket's address as the variable gives it; nil when there is none to talk to.
    public let socketPath: String?
    /// The watchdog interval systemd expects a `WATCHDOG=1` within, when it set one for this process.
    public let watchdogInterval: TimeInterval?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        let path = environment[Self.socketVariable].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        // WATCHDOG_PID, when set, names the process the watchdog is meant for (sd_watchdog_enabled's rule).
        let forUs = environment[Self.watchdogPIDVariable].map { Int32($0) == pid } ?? true
        if path != nil, forUs, let text = environment[Self.watchdogVariable], let usec = UInt64(text), usec > 0 {
            watchdogInterval = TimeInterval(usec) / 1_000_000
        } else {
            watchdogInterval = nil
        }
    }

    public var isEnabled: Bool { socketPath != nil }

    /// Sends `state` (e.g. `READY=1`); returns whether the datagram went out.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let socketPath else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(socketPath.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity || (abstract && bytes.count <= capacity) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        // A path includes its terminating NUL; an abstract name is exactly its bytes.
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (abstract ? 0 : 1)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                message.withUnsafeBytes { body in
                    sendto(fd, body.baseAddress, body.count, Int32(MSG_NOSIGNAL), sockaddrPointer, socklen_t(length))
                }
            }
        }
        return sent == message.count
    }
}
