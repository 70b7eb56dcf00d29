import Foundation

/// Queues the administrators' e-mail for every alarm raise, escalation, update of a system alarm and clear,
/// inside the transaction that changed the alarm (so the alarm change and its mail land together), and
/// records the notification in the alarm's history. System alarms only when `include_system_alarms` is on.
public struct AlarmMailer: AlarmTransitionObserver {
    private let source: @Sendable () -> NotificationsConfig
    public var signal: OutboxSignal?
    public var clock: any WallClock

    /// The settings in force (a reload can change them).
    public var notifications: NotificationsConfig { source() }

    public init(notifications: NotificationsConfig, signal: OutboxSignal? = nil, clock: any WallClock = SystemClock()) {
        self.init(source: { notifications }, signal: signal, clock: clock)
    }

    /// Reads the settings from `source` at every alarm change (the daemon's current configuration).
    public init(source: @escaping @Sendable () -> NotificationsConfig, signal: OutboxSignal? = nil, clock: any WallClock = SystemClock()) {
        self.source = source
        self.signal = signal
        self.clock = clock
    }

    public func wants(_ kind: AlarmKind) -> Bool {
        !notifications.to.isEmpty && (!kind.isSystem || notifications.includeSystemAlarms)
    }

    public func alarmDidTransition(_ transition: AlarmTransition, tx: StoreTransaction) throws {
        let occasion: AlarmMail.Occasion
        switch transition.type {
        case .raised: occasion = .raised
        case .escalated: occasion = .escalated
        case .cleared: occasion = .cleared
        case .updated where transition.alarm.kind.isSystem: occasion = .updated
        default: return
        }
        guard wants(transition.alarm.kind) else { return }
        let at = transition.alarm.updatedAt
        let mail = AlarmMail(alarm: transition.alarm, credential: transition.credential, occasion: occasion,
                             detail: transition.detail, now: at)
        try queue(mail, kind: .alarm, eventType: .notified, tx: tx)
    }

    /// Queues `mail`, marks the alarm notified and writes the history event.
    func queue(_ mail: AlarmMail, kind: OutboxMessage.Kind, eventType: AlarmEventType, tx: StoreTransaction) throws {
        let notifications = notifications
        let message = mail.message(from: notifications.from, to: notifications.to)
        do {
            try tx.enqueue(message, kind: kind, alarmId: mail.alarm.id, at: clock.now())
        } catch let invalid as MailMessage.Invalid {
            // An unusable address must not undo the alarm change itself: record why no mail went out.
            try tx.insertEvent(alarmId: mail.alarm.id, type: .updated, severity: mail.alarm.severity,
                               detail: "e-mail not queued: \(invalid.description)", at: mail.now)
            return
        }
        if mail.occasion != .cleared {
            try tx.markNotified(id: mail.alarm.id, at: mail.now)
        }
        try tx.insertEvent(alarmId: mail.alarm.id, type: eventType, severity: mail.alarm.severity,
                           detail: "e-mail queued to \(notifications.to.joined(separator: ", ")) (Message-ID <\(message.messageId)>)",
                           at: mail.now)
        signal?.signal()
    }
}
