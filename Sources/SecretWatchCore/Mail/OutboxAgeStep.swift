import Foundation

/// Raises `mail_delivery_failing` when the oldest queued mail has waited longer than `mailer.alarm_after`.
public struct OutboxAgeStep: SchedulerStep {
    public let name = "outbox_age"
    public let alarm: MailDeliveryAlarm
    public let maxAge: TimeInterval

    public init(alarm: MailDeliveryAlarm, maxAge: TimeInterval) {
        self.alarm = alarm
        self.maxAge = maxAge
    }

    public func run(now: Date) async throws {
        try alarm.checkAge(maxAge: maxAge, now: now)
    }
}
