import Foundation

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
