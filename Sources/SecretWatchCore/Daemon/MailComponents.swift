import Foundation
import Logging
import ServiceLifecycle

/// The mailer's parts of the daemon, built in one place so the composition root stays short: the alarm
/// e-mail observer, the outbox steps (re-notification, outbox age) and the delivery service.
public struct MailComponents: Sendable {
    public let signal: OutboxSignal
    public let alarmMailer: AlarmMailer

    public init(current: CurrentConfig, clock: any WallClock) {
        signal = OutboxSignal()
        alarmMailer = AlarmMailer(source: { current.value.notifications }, signal: signal, clock: clock)
    }

    public func steps(config: Config, engine: AlarmEngine) -> [any SchedulerStep] {
        [
            RenotifyStep(store: engine.store, mailer: alarmMailer, interval: config.alarms.renotifyInterval),
            OutboxAgeStep(alarm: MailDeliveryAlarm(engine: engine, credentialName: config.smtp.auth.name),
                          maxAge: config.mailer.alarmAfter),
        ]
    }

    /// The delivery service, when there is a token provider to authenticate with.
    public func deliveryService(config: Config, engine: AlarmEngine, tokens: (any TokenProvider)?, clock: any WallClock,
                                telemetry: any TelemetryObserver, logger: Logger) -> DeliveryService? {
        guard let tokens else { return nil }
        return DeliveryService(store: engine.store, alarm: MailDeliveryAlarm(engine: engine, credentialName: config.smtp.auth.name),
                               settings: .init(smtp: config.smtp, mailer: config.mailer, tokens: tokens), clock: clock,
                               signal: signal, telemetry: telemetry, logger: logger)
    }
}
