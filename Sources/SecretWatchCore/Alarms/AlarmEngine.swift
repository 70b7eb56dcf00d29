import FoundationEssentials
import Logging

/// The only writer of alarm state: every transition updates the alarm row and appends its history event in
/// the caller's transaction, then tells the observers (e-mail queue, metrics). The e-mail observer records
/// its notifications through `recordNotification`, so no other code writes alarm rows or events.
public struct AlarmEngine: Sendable {
    public let store: Store
    public var observers: [any AlarmTransitionObserver]
    public var telemetry: any TelemetryObserver
    public var logger: Logger

    public init(store: Store, observers: [any AlarmTransitionObserver] = [], telemetry: any TelemetryObserver = TelemetryHub(),
                logger: Logger = Logger(label: "secretwatch.alarms")) {
        self.store = store
        self.observers = observers
        self.telemetry = telemetry
        self.logger = logger
    }

    @discardableResult
    public func raise(_ kind: AlarmKind, for credential: CredentialRecord, severity: Severity, thresholdDays: Int? = nil,
                      expiresAt: Date? = nil, reason: String? = nil, summary: String, detail: String, at: Date,
                      tx: StoreTransaction) throws -> Alarm {
        let id = try tx.insertAlarm(kind: kind, credentialId: credential.id, severity: severity,
                                    thresholdDays: thresholdDays, expiresAt: expiresAt, reason: reason,
                                    summary: summary, at: at)
        try tx.insertEvent(alarmId: id, type: .raised, severity: severity, detail: detail, at: at)
        let alarm = try tx.alarm(id: id)!
        try emit(.raised, alarm, credential.credential, previous: nil, detail: detail, tx: tx)
        return alarm
    }

    /// Changes severity/threshold/reason of an active alarm; `type` is `.escalated` when it got worse.
    @discardableResult
    public func update(_ alarm: Alarm, credential: CredentialRecord, type: AlarmEventType = .escalated, severity: Severity,
                       thresholdDays: Int?, reason: String?, summary: String, detail: String, at: Date,
                       tx: StoreTransaction) throws -> Alarm {
        try tx.updateAlarm(id: alarm.id, severity: severity, thresholdDays: thresholdDays, reason: reason,
                           summary: summary, at: at)
        try tx.insertEvent(alarmId: alarm.id, type: type, severity: severity, detail: detail, at: at)
        let updated = try tx.alarm(id: alarm.id)!
        try emit(type, updated, credential.credential, previous: alarm.severity, detail: detail, tx: tx)
        return updated
    }

    /// Moves an active expiry alarm to a corrected expiry date (an `updated` event): the same secret with an
    /// earlier date is a correction of the configuration, not a rotation, so the alarm stays.
    @discardableResult
    public func correctExpiry(_ alarm: Alarm, credential: CredentialRecord, expiresAt: Date, summary: String, detail: String,
                              at: Date, tx: StoreTransaction) throws -> Alarm {
        try tx.setAlarmExpiry(id: alarm.id, expiresAt: expiresAt, summary: summary, at: at)
        try tx.insertEvent(alarmId: alarm.id, type: .updated, severity: alarm.severity, detail: detail, at: at)
        let updated = try tx.alarm(id: alarm.id)!
        try emit(.updated, updated, credential.credential, previous: alarm.severity, detail: detail, tx: tx)
        return updated
    }

    @discardableResult
    public func clear(_ alarm: Alarm, credential: CredentialRecord, detail: String, at: Date, tx: StoreTransaction) throws -> Alarm {
        try tx.clearAlarm(id: alarm.id, at: at)
        try tx.insertEvent(alarmId: alarm.id, type: .cleared, severity: alarm.severity, detail: detail, at: at)
        let cleared = try tx.alarm(id: alarm.id)!
        try emit(.cleared, cleared, credential.credential, previous: alarm.severity, detail: detail, tx: tx)
        return cleared
    }

    public enum AcknowledgeResult: Sendable, Equatable {
        case acknowledged(Alarm)
        /// Acknowledging twice is harmless: the first acknowledgement stands.
        case alreadyAcknowledged(Alarm)
        case notActive(Alarm)
        case notFound
    }

    /// Acknowledges an active alarm (stops re-notification); its own transaction.
    public func acknowledge(alarmId: Int64, by: String, comment: String?, at: Date) throws -> AcknowledgeResult {
        try store.transaction { tx in
            guard let alarm = try tx.alarm(id: alarmId) else { return .notFound }
            guard alarm.isActive else { return .notActive(alarm) }
            guard !alarm.isAcknowledged else { return .alreadyAcknowledged(alarm) }
            let detail = "acknowledged by \(by)" + (comment.map { ": \($0)" } ?? "")
            try tx.acknowledgeAlarm(id: alarmId, by: by, comment: comment, at: at)
            try tx.insertEvent(alarmId: alarmId, type: .acknowledged, severity: alarm.severity, detail: detail, at: at)
            let acked = try tx.alarm(id: alarmId)!
            if let credential = try tx.credential(id: alarm.credentialId) {
                try emit(.acknowledged, acked, credential.credential, previous: alarm.severity, detail: detail, tx: tx)
            }
            return .acknowledged(acked)
        }
    }

    /// Records what became of an alarm's e-mail, in the transaction of the change it announces: the history
    /// event (`notified`, `renotified`, or `updated` when no mail could be queued) and, when `markNotified`, the
    /// time re-notification counts from.
    static func recordNotification(of alarm: Alarm, type: AlarmEventType, markNotified: Bool, detail: String, at: Date,
                                   tx: StoreTransaction) throws {
        if markNotified { try tx.markNotified(id: alarm.id, at: at) }
        try tx.insertEvent(alarmId: alarm.id, type: type, severity: alarm.severity, detail: detail, at: at)
    }

    private func emit(_ type: AlarmEventType, _ alarm: Alarm, _ credential: Credential, previous: Severity?, detail: String,
                      tx: StoreTransaction) throws {
        let transition = AlarmTransition(type: type, alarm: alarm, credential: credential, previousSeverity: previous, detail: detail)
        for observer in observers {
            try observer.alarmDidTransition(transition, tx: tx)
        }
        // Said only of a change that landed: a rolled-back raise is neither logged nor counted.
        tx.afterCommit { [logger, telemetry] in
            logger.notice("alarm \(type.rawValue)", metadata: [
                "alarm_id": "\(alarm.id)", "kind": "\(alarm.kind.rawValue)", "credential": "\(credential.name)",
                "severity": "\(alarm.severity.rawValue)", "detail": "\(detail)",
            ])
            telemetry.alarmTransition(transition)
        }
    }
}
