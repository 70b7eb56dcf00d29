import Foundation
import Synchronization

/// Abusive HTTP clients for tests: from each source address (127.0.0.x: loopback owns the whole 127/8), some
/// connections trickle one byte of a never-ending request header every `trickleEvery` seconds and others
/// never send a byte. A connection the server closes is opened again at once (when `reconnect`), so the
/// pressure stays constant. Runs on a thread of its own with non-blocking sockets and `poll`.
final class SlowClients: Sendable {
    struct Counts: Sendable {
        /// Connections established right now.
        var open = 0
        /// Connections the server closed (or reset).
        var closedByServer = 0
        /// Connection attempts that failed.
        var connectFailures = 0
    }

    let port: Int
    let sources: [String]
    let trickling: Int
    let idle: Int
    let trickleEvery: TimeInterval
    let reconnect: Bool
    private let state = Mutex(Counts())
    private let stopping = Atomic(false)
    private let finished = DispatchSemaphore(value: 0)

    /// `trickling` and `idle` connections from each address in `sources`.
    init(port: Int, sources: [String], trickling: Int, idle: Int, trickleEvery: TimeInterval = 2, reconnect: Bool = true) {
        self.port = port
        self.sources = sources
        self.trickling = trickling
        self.idle = idle
        self.trickleEvery = trickleEvery
        self.reconnect = reconnect
    }

    var total: Int { sources.count * (trickling + idle) }
    var counts: Counts { state.withLock { $0 } }

    func start() {
        SlowClients.raiseOpenFileLimit()
        Thread { [self] in
            run()
            finished.signal()
        }.start()
    }

    /// Closes every connection and waits for the thread.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        finished.wait()
    }

    /// These connections and the server's ends of them (in the same test process) need more descriptors than a
    /// default soft limit of 1,024.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_CONSTANT, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(RLIMIT_NOFILE_CONSTANT, &limit)
    }

    private static let RLIMIT_NOFILE_CONSTANT = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

    private struct Slot {
        var fd: Int32 = -1
        var source: in_addr
        var trickles: Bool
        var connected = false
        var nextSend: Double = 0
        var retryAt: Double = 0
        var done = false
    }

    /// The request line and headers a trickling connection sends, one byte at a time; it never ends.
    private static let header = Array("GET /api/v1/alarms HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)

    private func run() {
        var slots: [Slot] = []
        for source in sources {
            var address = in_addr()
            inet_pton(AF_INET, source, &address)
            for i in 0..<(trickling + idle) { slots.append(Slot(source: address, trickles: i < trickling)) }
        }
        var sent = [Int](repeating: 0, count: slots.count)
        while !stopping.load(ordering: .acquiring) {
            let now = Self.seconds()
            for i in slots.indices where slots[i].fd < 0 && !slots[i].done && now >= slots[i].retryAt {
                open(&slots[i], now: now)
            }
            var polled: [pollfd] = []
            var owners: [Int] = []
            for i in slots.indices where slots[i].fd >= 0 {
                polled.append(pollfd(fd: slots[i].fd, events: Int16(slots[i].connected ? POLLIN : POLLOUT), revents: 0))
                owners.append(i)
            }
            _ = poll(&polled, nfds_t(polled.count), 50)
            let later = Self.seconds()
            for (k, entry) in polled.enumerated() where entry.revents != 0 {
                let i = owners[k]
                if !slots[i].connected {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(entry.fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 {
                        slots[i].connected = true
                        slots[i].nextSend = later + Double.random(in: 0..<trickleEvery)
                        state.withLock { $0.open += 1 }
                    } else {
                        drop(&slots[i], now: later, failure: true)
                    }
                    continue
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = recv(entry.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                    state.withLock { $0.closedByServer += 1 }
                    drop(&slots[i], now: later, failure: false)
                    sent[i] = 0
                }
            }
            for i in slots.indices where slots[i].connected && slots[i].trickles && later >= slots[i].nextSend {
                var byte = Self.header[min(sent[i], Self.header.count - 1)]
                if sent[i] >= Self.header.count { byte = UInt8(ascii: "a") }
                if send(slots[i].fd, &byte, 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) == 1 { sent[i] += 1 }
                slots[i].nextSend = later + trickleEvery
            }
        }
        for i in slots.indices where slots[i].fd >= 0 { close(slots[i].fd) }
        state.withLock { $0.open = 0 }
    }

    private func open(_ slot: inout Slot, now: Double) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            slot.retryAt = now + 0.5
            state.withLock { $0.connectFailures += 1 }
            return
        }
        var one: Int32 = 1
        // Let connect pick the source port, so 127.0.0.x addresses do not run out of ports at bind time.
        setsockopt(fd, Int32(IPPROTO_IP), 24 /* IP_BIND_ADDRESS_NO_PORT */, &one, socklen_t(MemoryLayout<Int32>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr = slot.source
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
        let rc = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) } }
        guard bound == 0, rc == 0 || errno == EINPROGRESS else {
            close(fd)
            slot.retryAt = now + 0.5
            state.withLock { $0.connectFailures += 1 }
            return
        }
        slot.fd = fd
        slot.connected = false
    }

    private func drop(_ slot: inout Slot, now: Double, failure: Bool) {
        close(slot.fd)
        if slot.connected { state.withLock { $0.open -= 1 } }
        if failure { state.withLock { $0.connectFailures += 1 } }
        slot.fd = -1
        slot.connected = false
        slot.retryAt = now + (failure ? 0.2 : 0.05)
        slot.done = !reconnect
    }

    private static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
