import Foundation

/// Raises `mail_delivery_failing` when the oldest queued mail has waited longer than `mailer.alarm_after`, and
/// drops finished messages after `retention` (their attempts stay in the delivery history).
public struct OutboxAgeStep: SchedulerStep {
    public let name = "outbox_age"
    public let alarm: MailDeliveryAlarm
    public let maxAge: TimeInterval
    public let retention: TimeInterval

    public init(alarm: MailDeliveryAlarm, maxAge: TimeInterval, retention: TimeInterval = 30 * 86400) {
        self.alarm = alarm
        self.maxAge = maxAge
        self.retention = retention
    }

    public func run(now: Date) async throws {
        try alarm.checkAge(maxAge: maxAge, now: now)
        try alarm.engine.store.pruneOutbox(finishedBefore: now.addingTimeInterval(-retention))
        // Every pass refreshes the outbox gauges, so newly queued alarm mail shows even before a worker wakes.
        alarm.engine.telemetry.outbox(try alarm.engine.store.outboxState())
    }
}
