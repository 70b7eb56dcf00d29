import Foundation
public import SecretWatchSQLite

/// Alarm rows and their events. The writing functions take the connection of an open transaction
/// (`Store.transaction`), so an alarm change and its history event always land together.
extension Store {
    static let alarmColumns = "a.*, c.name AS credential_name"

    public func alarms(_ filter: AlarmFilter) throws -> [Alarm] {
        var conditions: [String] = []
        var parameters: [any SQLBindable] = []
        switch filter.state {
        case .active: conditions.append("a.state = 'active'")
        case .cleared: conditions.append("a.state = 'cleared'")
        case .all: break
        }
        if let kind = filter.kind { conditions.append("a.kind = ?"); parameters.append(kind.rawValue) }
        if let name = filter.credential { conditions.append("c.name = ?"); parameters.append(name) }
        if let since = filter.since { conditions.append("a.raised_at >= ?"); parameters.append(since) }
        if let until = filter.until { conditions.append("a.raised_at < ?"); parameters.append(until) }
        if let before = filter.beforeId { conditions.append("a.id < ?"); parameters.append(before) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        parameters.append(max(0, filter.limit))
        return try read { db in
            try db.query("""
                SELECT \(Self.alarmColumns) FROM alarms a JOIN credentials c ON c.id = a.credential_id
                \(whereClause) ORDER BY a.id DESC LIMIT ?
                """, parameters).map(Self.alarm)
        }
    }

    public func alarm(id: Int64) throws -> Alarm? {
        try read { db in try Self.alarm(id: id, db) }
    }

    public func events(alarmId: Int64) throws -> [AlarmEvent] {
        try read { db in
            try db.query("SELECT * FROM alarm_events WHERE alarm_id = ? ORDER BY id", [alarmId]).map(Self.event)
        }
    }

    public func activeAlarms() throws -> [Alarm] {
        try alarms(AlarmFilter(state: .active, limit: Int.max))
    }

    // MARK: - inside a transaction

    static func alarm(id: Int64, _ db: SQLiteConnection) throws -> Alarm? {
        try db.query("SELECT \(alarmColumns) FROM alarms a JOIN credentials c ON c.id = a.credential_id WHERE a.id = ?", [id])
            .first.map(alarm)
    }

    static func activeAlarms(kinds: [AlarmKind], _ db: SQLiteConnection) throws -> [Alarm] {
        let list = kinds.map { "'\($0.rawValue)'" }.joined(separator: ",")
        return try db.query("""
            SELECT \(alarmColumns) FROM alarms a JOIN credentials c ON c.id = a.credential_id
            WHERE a.state = 'active' AND a.kind IN (\(list)) ORDER BY a.id
            """).map(alarm)
    }

    static func insertAlarm(kind: AlarmKind, credentialId: Int64, severity: Severity, thresholdDays: Int?,
                            expiresAt: Date?, reason: String?, summary: String, at: Date,
                            _ db: SQLiteConnection) throws -> Int64 {
        try db.run("""
            INSERT INTO alarms (kind, credential_id, state, severity, threshold_days, expires_at, reason, summary,
                                raised_at, updated_at)
            VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)
            """, [kind.rawValue, credentialId, severity.rawValue, thresholdDays, expiresAt, reason,
                  Redactor.scrub(summary), at, at])
        return db.lastInsertRowID
    }

    static func updateAlarm(id: Int64, severity: Severity, thresholdDays: Int?, reason: String?, summary: String,
                            at: Date, _ db: SQLiteConnection) throws {
        try db.run("""
            UPDATE alarms SET severity = ?, threshold_days = ?, reason = ?, summary = ?, updated_at = ? WHERE id = ?
            """, [severity.rawValue, thresholdDays, reason, Redactor.scrub(summary), at, id])
    }

    static func setAlarmExpiry(id: Int64, expiresAt: Date, summary: String, at: Date, _ db: SQLiteConnection) throws {
        try db.run("UPDATE alarms SET expires_at = ?, summary = ?, updated_at = ? WHERE id = ? AND state = 'active'",
                   [expiresAt, Redactor.scrub(summary), at, id])
    }

    static func clearAlarm(id: Int64, at: Date, _ db: SQLiteConnection) throws {
        try db.run("UPDATE alarms SET state = 'cleared', cleared_at = ?, updated_at = ? WHERE id = ? AND state = 'active'",
                   [at, at, id])
    }

    static func acknowledgeAlarm(id: Int64, by: String, comment: String?, at: Date, _ db: SQLiteConnection) throws {
        try db.run("UPDATE alarms SET acked_at = ?, acked_by = ?, ack_comment = ?, updated_at = ? WHERE id = ?",
                   [at, Redactor.scrub(by), comment.map(Redactor.scrub), at, id])
    }

    static func markNotified(id: Int64, at: Date, _ db: SQLiteConnection) throws {
        try db.run("UPDATE alarms SET notified_at = ?, notify_count = notify_count + 1 WHERE id = ?", [at, id])
    }

    static func insertEvent(alarmId: Int64, type: AlarmEventType, severity: Severity?, detail: String, at: Date,
                            _ db: SQLiteConnection) throws {
        try db.run("INSERT INTO alarm_events (alarm_id, at, type, severity, detail) VALUES (?, ?, ?, ?, ?)",
                   [alarmId, at, type.rawValue, severity?.rawValue, Redactor.scrub(detail)])
    }

    static func alarm(_ row: SQLRow) -> Alarm {
        Alarm(id: row["id"].int64!,
              kind: AlarmKind(rawValue: row["kind"].string!) ?? .clientSecretExpiring,
              credentialId: row["credential_id"].int64!,
              credentialName: row["credential_name"].string!,
              state: AlarmState(rawValue: row["state"].string!) ?? .active,
              severity: Severity(rawValue: row["severity"].string!) ?? .critical,
              thresholdDays: row["threshold_days"].int,
              expiresAt: row["expires_at"].date,
              reason: row["reason"].string,
              summary: row["summary"].string!,
              raisedAt: row["raised_at"].date!,
              updatedAt: row["updated_at"].date!,
              clearedAt: row["cleared_at"].date,
              acknowledgedAt: row["acked_at"].date,
              acknowledgedBy: row["acked_by"].string,
              acknowledgeComment: row["ack_comment"].string,
              notifiedAt: row["notified_at"].date,
              notifyCount: row["notify_count"].int ?? 0)
    }

    static func event(_ row: SQLRow) -> AlarmEvent {
        AlarmEvent(id: row["id"].int64!, alarmId: row["alarm_id"].int64!, at: row["at"].date!,
                   type: AlarmEventType(rawValue: row["type"].string!) ?? .updated,
                   severity: row["severity"].string.flatMap(Severity.init(rawValue:)),
                   detail: row["detail"].string!)
    }
}
