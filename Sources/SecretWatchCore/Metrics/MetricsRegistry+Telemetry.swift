import Foundation

/// The registry is a telemetry observer: components report here and never wait (an update is a lock and
/// an enqueue).
extension MetricsRegistry {
    public func tokenAttempt(_ attempt: TokenAttempt) {
        update { $0.record(attempt) }
    }

    public func delivery(_ delivery: Delivery) {
        update { $0.record(delivery) }
    }

    public func schedulerPass(startedAt: Date, duration: TimeInterval, failingSteps: [String]) {
        live.recordPass(startedAt: startedAt, duration: duration, failingSteps: failingSteps)
        refreshFromStore()
    }

    /// Called inside the alarm's transaction: only memory is touched here; the store refresh runs later on
    /// the render queue, after the transaction has committed and released the store.
    public func alarmTransition(_ transition: AlarmTransition) {
        if transition.type == .raised {
            update { $0.alarmsRaised[transition.alarm.kind, default: 0] += 1 }
        }
        refreshFromStore()
    }

    public func outbox(_ state: OutboxState) {
        update { $0.outbox = state }
    }
}
