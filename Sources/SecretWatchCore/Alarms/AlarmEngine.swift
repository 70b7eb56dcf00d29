import Foundation
public import SecretWatchSQLite
import Logging

/// The only writer of alarm state: every transition updates the alarm row and appends its history event in
/// the caller's transaction, then tells the observers (e-mail queue, metrics).
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
                      db: SQLiteConnection) throws -> Alarm {
        let id = try Store.insertAlarm(kind: kind, credentialId: credential.id, severity: severity,
                                       thresholdDays: thresholdDays, expiresAt: expiresAt, reason: reason,
                                       summary: summary, at: at, db)
        try Store.insertEvent(alarmId: id, type: .raised, severity: severity, detail: detail, at: at, db)
        let alarm = try Store.alarm(id: id, db)!
        try emit(.raised, alarm, credential.credential, previous: nil, detail: detail, db: db)
        return alarm
    }

    /// Changes severity/threshold/reason of an active alarm; `type` is `.escalated` when it got worse.
    @discardableResult
    public func update(_ alarm: Alarm, credential: CredentialRecord, type: AlarmEventType = .escalated, severity: Severity,
                       thresholdDays: Int?, reason: String?, summary: String, detail: String, at: Date,
                       db: SQLiteConnection) throws -> Alarm {
        try Store.updateAlarm(id: alarm.id, severity: severity, thresholdDays: thresholdDays, reason: reason,
                              summary: summary, at: at, db)
        try Store.insertEvent(alarmId: alarm.id, type: type, severity: severity, detail: detail, at: at, db)
        let updated = try Store.alarm(id: alarm.id, db)!
        try emit(type, updated, credential.credential, previous: alarm.severity, detail: detail, db: db)
        return updated
    }

    /// Moves an active expiry alarm to a corrected expiry date (an `updated` event): the same secret with an
    /// earlier date is a correction of the configuration, not a rotation, so the alarm stays.
    @discardableResult
    public func correctExpiry(_ alarm: Alarm, credential: CredentialRecord, expiresAt: Date, summary: String, detail: String,
                              at: Date, db: SQLiteConnection) throws -> Alarm {
        try Store.setAlarmExpiry(id: alarm.id, expiresAt: expiresAt, summary: summary, at: at, db)
        try Store.insertEvent(alarmId: alarm.id, type: .updated, severity: alarm.severity, detail: detail, at: at, db)
        let updated = try Store.alarm(id: alarm.id, db)!
        try emit(.updated, updated, credential.credential, previous: alarm.severity, detail: detail, db: db)
        return updated
    }

    @discardableResult
    public func clear(_ alarm: Alarm, credential: CredentialRecord, detail: String, at: Date, db: SQLiteConnection) throws -> Alarm {
        try Store.clearAlarm(id: alarm.id, at: at, db)
        try Store.insertEvent(alarmId: alarm.id, type: .cleared, severity: alarm.severity, detail: detail, at: at, db)
        let cleared = try Store.alarm(id: alarm.id, db)!
        try emit(.cleared, cleared, credential.credential, previous: alarm.severity, detail: detail, db: db)
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
        try store.transaction { db in
            guard let alarm = try Store.alarm(id: alarmId, db) else { return .notFound }
            guard alarm.isActive else { return .notActive(alarm) }
            guard !alarm.isAcknowledged else { return .alreadyAcknowledged(alarm) }
            let detail = "acknowledged by \(by)" + (comment.map { ": \($0)" } ?? "")
            try Store.acknowledgeAlarm(id: alarmId, by: by, comment: comment, at: at, db)
            try Store.insertEvent(alarmId: alarmId, type: .acknowledged, severity: alarm.severity, detail: detail, at: at, db)
            let acked = try Store.alarm(id: alarmId, db)!
            let credential = try db.query("SELECT * FROM credentials WHERE id = ?", [alarm.credentialId]).first.map(Store.credentialRecord)
            if let credential {
                try emit(.acknowledged, acked, credential.credential, previous: alarm.severity, detail: detail, db: db)
            }
            return .acknowledged(acked)
        }
    }

    private func emit(_ type: AlarmEventType, _ alarm: Alarm, _ credential: Credential, previous: Severity?, detail: String,
                      db: SQLiteConnection) throws {
        logger.notice("alarm \(type.rawValue)", metadata: [
            "alarm_id": "\(alarm.id)", "kind": "\(alarm.kind.rawValue)", "credential": "\(credential.name)",
            "severity": "\(alarm.severity.rawValue)", "detail": "\(detail)",
        ])
        let transition = AlarmTransition(type: type, alarm: alarm, credential: credential, previousSeverity: previous, detail: detail)
        for observer in observers {
            try observer.alarmDidTransition(transition, db: db)
        }
        telemetry.alarmTransition(transition)
    }
}
