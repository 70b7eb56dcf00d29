import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// The request timeout libmicrohttpd lacks. Its connection timeout is an idle timeout that every byte resets, so a
/// client trickling a header byte every few seconds would hold its connection forever. Here a connection is armed
/// when it opens and again after each answer, and disarmed once its whole request (line, headers, body) has
/// arrived; a timer shuts down the socket of every connection armed for longer than `timeout`. libmicrohttpd then
/// reads end-of-file and closes the connection on its own thread, as if the client had left.
///
/// A socket is shut down with the lock held, and libmicrohttpd reports a connection closed (`forget`, which takes
/// the lock) before it closes the descriptor: a descriptor number already reused by a newer connection is never
/// touched.
final class RequestDeadlines: Sendable {
    private struct Tracked {
        var fd: Int32
        /// When the request must have arrived; nil while a request is being answered.
        var deadline: ContinuousClock.Instant?
    }

    private struct State {
        var connections: [UInt: Tracked] = [:]
        var closedSinceReport = 0
        var lastReport: ContinuousClock.Instant?
    }

    let seconds: Double
    private let timeout: Duration
    private let logger: Logger
    private let state = Mutex(State())
    private let running = Atomic(false)
    private let queue = DispatchQueue(label: "secretwatch.http.request-deadlines")
    /// At most one log line a minute says how many connections were closed.
    private static let reportEvery: Duration = .seconds(60)

    init(timeout seconds: Double, logger: Logger) {
        self.seconds = seconds
        timeout = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        self.logger = logger
    }

    /// Starts sweeping: every quarter of the timeout, at most every second, at least every 100 ms.
    func start() {
        running.store(true, ordering: .releasing)
        scheduleSweep()
    }

    /// Stops sweeping and waits for a sweep under way.
    func stop() {
        running.store(false, ordering: .releasing)
        queue.sync {}
    }

    private func scheduleSweep() {
        let tick = min(1.0, max(0.1, seconds / 4))
        queue.asyncAfter(deadline: .now() + tick) { [weak self] in
            guard let self, running.load(ordering: .acquiring) else { return }
            sweep(now: .now)
            scheduleSweep()
        }
    }

    /// A connection opened (libmicrohttpd thread): its first request is due within the timeout.
    func opened(_ key: UInt, fd: Int32) {
        guard fd >= 0 else { return }
        let deadline = ContinuousClock.now + timeout
        state.withLock { $0.connections[key] = Tracked(fd: fd, deadline: deadline) }
    }

    /// The connection's request has arrived whole: no deadline while it is answered.
    func received(_ key: UInt) {
        state.withLock { $0.connections[key]?.deadline = nil }
    }

    /// The answer is done (or abandoned): the next request on the connection is due within the timeout.
    func answered(_ key: UInt) {
        let deadline = ContinuousClock.now + timeout
        state.withLock { $0.connections[key]?.deadline = deadline }
    }

    /// The connection is closing; libmicrohttpd closes its descriptor after this returns.
    func forget(_ key: UInt) {
        _ = state.withLock { $0.connections.removeValue(forKey: key) }
    }

    /// Shuts down every connection past its deadline; returns how many.
    @discardableResult
    func sweep(now: ContinuousClock.Instant) -> Int {
        let (closed, report) = state.withLock { s -> (Int, Int?) in
            var closed = 0
            for (key, tracked) in s.connections {
                guard let deadline = tracked.deadline, deadline <= now else { continue }
                shutdown(tracked.fd, Int32(SHUT_RDWR))
                // Shut down once: libmicrohttpd forgets the connection as soon as it notices.
                s.connections[key]?.deadline = nil
                closed += 1
            }
            s.closedSinceReport += closed
            guard s.closedSinceReport > 0, s.lastReport.map({ now - $0 >= Self.reportEvery }) ?? true else { return (closed, nil) }
            defer {
                s.closedSinceReport = 0
                s.lastReport = now
            }
            return (closed, s.closedSinceReport)
        }
        if let report {
            logger.notice("closed connections whose request did not arrive in time", metadata: [
                "connections": "\(report)", "request_timeout": "\(Self.durationText(seconds))",
            ])
        }
        return closed
    }

    /// The timeout in a spelling the configuration accepts: whole seconds (`5s`, `90s`), else milliseconds.
    static func durationText(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(Int((seconds * 1000).rounded()))ms"
    }
}
