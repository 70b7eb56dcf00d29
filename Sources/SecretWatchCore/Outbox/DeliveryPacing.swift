import FoundationEssentials
import Synchronization

/// Wakes idle delivery workers when mail is queued (instead of waiting for the next poll). A waiter passes the
/// generation it saw before looking for work, so a signal in between is never missed.
public final class OutboxSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextId: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public var generation: UInt64 { state.withLock { $0.generation } }

    /// New mail: every waiter wakes.
    public func signal() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.generation &+= 1
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns once the generation differs from `seen`, or the task is cancelled.
    public func wait(after seen: UInt64) async {
        let id = state.withLock { s -> UInt64 in s.nextId &+= 1; return s.nextId }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.generation != seen || Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Waits for a signal after `seen` or until `deadline` on `clock`, whichever comes first.
    public func wait(after seen: UInt64, until deadline: Date, clock: any WallClock) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: deadline) }
            group.addTask { await self.wait(after: seen) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// At most `perMinute` sends in any sliding 60-second window, on the injected clock (Exchange delays
/// messages beyond 30 a minute per mailbox). `perMinute == 0` switches the cap off.
public actor RateLimiter {
    public let perMinute: Int
    private let clock: any WallClock
    private var starts: [Date] = []

    public init(perMinute: Int, clock: any WallClock) {
        self.perMinute = perMinute
        self.clock = clock
    }

    /// Waits until a send may start, and counts it.
    public func acquire() async throws {
        _ = try await acquire(before: nil)
    }

    /// Waits until a send may start, and counts it; returns false at once (counting nothing) when that moment
    /// comes after `deadline` (`run --once` stops there).
    public func acquire(before deadline: Date?) async throws -> Bool {
        guard perMinute > 0 else { return true }
        while true {
            let now = clock.now()
            starts.removeAll { $0 <= now.addingTimeInterval(-60) }
            if starts.count < perMinute {
                starts.append(now)
                return true
            }
            let slot = starts[0].addingTimeInterval(60)
            if let deadline, slot > deadline { return false }
            try await clock.sleep(until: slot)
        }
    }

    /// Sends started in the last minute.
    public var recent: Int {
        let now = clock.now()
        return starts.filter { $0 > now.addingTimeInterval(-60) }.count
    }
}
