import FoundationEssentials

/// The source of "now" and of waiting, injected everywhere time matters so that tests can run a year of
/// scheduling in milliseconds with a `ManualClock`.
public protocol WallClock: Sendable {
    func now() -> Date
    /// Sleeps until `deadline` (wall-clock time) or throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

extension WallClock {
    public func sleep(for seconds: TimeInterval) async throws {
        try await sleep(until: now().addingTimeInterval(seconds))
    }
}

/// The real clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 {
            try await Task.sleep(nanoseconds: CheckedConversion.sleepNanoseconds(seconds))
        } else {
            try Task.checkCancellation()
        }
    }
}

/// A wall clock that runs `speed` times faster than real time, from `start` on — for the demo and end-to-end
/// tests that must watch a secret cross 30, 14, 7 and 1 days in seconds (`secretwatch run --time-scale 86400`:
/// a day per second). Sleeps are real sleeps, shortened by the same factor.
public struct ScaledClock: WallClock {
    public let speed: Double
    private let start: Date
    private let realStart: Date

    public init(speed: Double, start: Date = Date(), realStart: Date = Date()) {
        precondition(speed > 0, "a clock speed must be positive")
        self.speed = speed
        self.start = start
        self.realStart = realStart
    }

    public func now() -> Date {
        start.addingTimeInterval(Date().timeIntervalSince(realStart) * speed)
    }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSince(now()) / speed
        if seconds > 0 {
            try await Task.sleep(nanoseconds: CheckedConversion.sleepNanoseconds(seconds))
        } else {
            try Task.checkCancellation()
        }
    }
}
