import FoundationEssentials
internal import SecretWatchSQLite

/// Alarm rows and their history events. Alarm state changes go through `AlarmEngine`, which writes the alarm and
/// its event with the `StoreTransaction` methods below, in the caller's transaction, so both always land together.
extension Store {
    public func alarms(_ filter: AlarmFilter) throws -> [Alarm] {
        try read { tx in try tx.alarms(filter) }
    }

    public func alarm(id: Int64) throws -> Alarm? {
        try read { tx in try tx.alarm(id: id) }
    }

    public func events(alarmId: Int64) throws -> [AlarmEvent] {
        try read { tx in try tx.events(alarmId: alarmId) }
    }

    public func activeAlarms() throws -> [Alarm] {
        try alarms(AlarmFilter(state: .active, limit: Int.max))
    }

    /// The id of the newest history event (0 when there is none).
    func lastAlarmEventId() throws -> Int64 {
        try read { tx in try tx.scalar("SELECT COALESCE(MAX(id), 0) FROM alarm_events")?.int64 ?? 0 }
    }

    /// History events newer than `afterId` of the given types, oldest first, each with its alarm and credential.
    func alarmEvents(after afterId: Int64, types: [AlarmEventType]) throws -> [AlarmEventEntry] {
        let list = types.map { "'\($0.rawValue)'" }.joined(separator: ",")
        return try read { tx in
            try tx.query("""
                SELECT e.*, a.kind, a.severity AS alarm_severity, c.name AS credential_name
                FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id JOIN credentials c ON c.id = a.credential_id
                WHERE e.id > ? AND e.type IN (\(list)) ORDER BY e.id
                """, [afterId]).map { row in
                AlarmEventEntry(event: StoreTransaction.event(row),
                                kind: AlarmKind(rawValue: row["kind"].string!) ?? .clientSecretExpiring,
                                alarmSeverity: Severity(rawValue: row["alarm_severity"].string!) ?? .critical,
                                credentialName: row["credential_name"].string!)
            }
        }
    }
}

/// A history event with what its alarm is about (`Store.alarmEvents(after:types:)`).
struct AlarmEventEntry: Sendable, Equatable {
    var event: AlarmEvent
    var kind: AlarmKind
    /// The alarm's severity now.
    var alarmSeverity: Severity
    var credentialName: String
}

extension StoreTransaction {
    static let alarmColumns = "a.*, c.name AS credential_name"

    func alarms(_ filter: AlarmFilter) throws -> [Alarm] {
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
        return try query("""
            SELECT \(Self.alarmColumns) FROM alarms a JOIN credentials c ON c.id = a.credential_id
            \(whereClause) ORDER BY a.id DESC LIMIT ?
            """, parameters).map(Self.alarm)
    }

    func alarm(id: Int64) throws -> Alarm? {
        try query("SELECT \(Self.alarmColumns) FROM alarms a JOIN credentials c ON c.id = a.credential_id WHERE a.id = ?", [id])
            .first.map(Self.alarm)
    }

    func activeAlarms(kinds: [AlarmKind]) throws -> [Alarm] {
        let list = kinds.map { "'\($0.rawValue)'" }.joined(separator: ",")
        return try query("""
            SELECT \(Self.alarmColumns) FROM alarms a JOIN credentials c ON c.id = a.credential_id
            WHERE a.state = 'active' AND a.kind IN (\(list)) ORDER BY a.id
            """).map(Self.alarm)
    }

    func events(alarmId: Int64) throws -> [AlarmEvent] {
        try query("SELECT * FROM alarm_events WHERE alarm_id = ? ORDER BY id", [alarmId]).map(Self.event)
    }

    func insertAlarm(kind: AlarmKind, credentialId: Int64, severity: Severity, thresholdDays: Int?,
                     expiresAt: Date?, reason: String?, summary: String, at: Date) throws -> Int64 {
        try run("""
            INSERT INTO alarms (kind, credential_id, state, severity, threshold_days, expires_at, reason, summary,
                                raised_at, updated_at)
            VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)
            """, [kind.rawValue, credentialId, severity.rawValue, thresholdDays, expiresAt, reason,
                  Redactor.scrub(summary), at, at])
        return lastInsertRowID
    }

    func updateAlarm(id: Int64, severity: Severity, thresholdDays: Int?, reason: String?, summary: String, at: Date) throws {
        try run("""
            UPDATE alarms SET severity = ?, threshold_days = ?, reason = ?, summary = ?, updated_at = ? WHERE id = ?
            """, [severity.rawValue, thresholdDays, reason, Redactor.scrub(summary), at, id])
    }

    func setAlarmExpiry(id: Int64, expiresAt: Date, summary: String, at: Date) throws {
        try run("UPDATE alarms SET expires_at = ?, summary = ?, updated_at = ? WHERE id = ? AND state = 'active'",
                [expiresAt, Redactor.scrub(summary), at, id])
    }

    func clearAlarm(id: Int64, at: Date) throws {
        try run("UPDATE alarms SET state = 'cleared', cleared_at = ?, updated_at = ? WHERE id = ? AND state = 'active'",
                [at, at, id])
    }

    func acknowledgeAlarm(id: Int64, by: String, comment: String?, at: Date) throws {
        try run("UPDATE alarms SET acked_at = ?, acked_by = ?, ack_comment = ?, updated_at = ? WHERE id = ?",
                [at, Redactor.scrub(by), comment.map(Redactor.scrub), at, id])
    }

    func markNotified(id: Int64, at: Date) throws {
        try run("UPDATE alarms SET notified_at = ?, notify_count = notify_count + 1 WHERE id = ?", [at, id])
    }

    func insertEvent(alarmId: Int64, type: AlarmEventType, severity: Severity?, detail: String, at: Date) throws {
        try run("INSERT INTO alarm_events (alarm_id, at, type, severity, detail) VALUES (?, ?, ?, ?, ?)",
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
