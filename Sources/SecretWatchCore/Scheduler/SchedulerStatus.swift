import Foundation
import Synchronization

/// What the scheduler last did, read by `/readyz`, `/metrics` and `status` without waiting on it.
public final class SchedulerStatus: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var passes = 0
        public var lastPassStartedAt: Date?
        public var lastPassDuration: TimeInterval?
        /// Step name → last error text, for steps whose last run failed.
        public var failingSteps: [String: String] = [:]
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func record(startedAt: Date, duration: TimeInterval, failures: [String: String]) {
        state.withLock { s in
            s.passes += 1
            s.lastPassStartedAt = startedAt
            s.lastPassDuration = duration
            s.failingSteps = failures
        }
    }
}
