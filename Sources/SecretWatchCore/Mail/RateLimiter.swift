import Foundation

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
