import FoundationEssentials

/// What `secretwatch ack` reports: the line it prints, or (`--json`) this object, whose `alarm` is the alarm as
/// `GET /api/v1/alarms/{id}` shows it.
public struct AckResult: Encodable, Sendable {
    /// `acknowledged`, `already_acknowledged`, `not_active`, `not_found`.
    public var result: String
    public var alarmId: Int64
    public var alarm: AlarmView?
    /// Why nothing was acknowledged (`not_active`, `not_found`); nil otherwise.
    public var error: String?

    public init(alarmId: Int64, _ outcome: AlarmEngine.AcknowledgeResult, events: (Int64) throws -> [AlarmEvent]) rethrows {
        self.alarmId = alarmId
        switch outcome {
        case .acknowledged(let alarm):
            result = "acknowledged"
            self.alarm = AlarmView(alarm, events: try events(alarm.id))
        case .alreadyAcknowledged(let alarm):
            result = "already_acknowledged"
            self.alarm = AlarmView(alarm, events: try events(alarm.id))
        case .notActive(let alarm):
            result = "not_active"
            self.alarm = AlarmView(alarm)
            error = "alarm #\(alarm.id) is cleared (since \(alarm.clearedAt.map(Timestamps.rfc3339) ?? "?")); nothing to acknowledge"
        case .notFound:
            result = "not_found"
            error = "there is no alarm #\(alarmId)"
        }
    }

    /// The human-readable line of a successful acknowledgement.
    public var line: String {
        guard let alarm else { return error ?? result }
        if result == "already_acknowledged" {
            return "alarm #\(alarm.id) was already acknowledged by \(VisibleText.escaped(alarm.acknowledged?.by ?? "?")) at "
                + (alarm.acknowledged.map { Timestamps.rfc3339($0.at) } ?? "?")
        }
        return "alarm #\(alarm.id) \(alarm.kind) \(alarm.credential) acknowledged by \(alarm.acknowledged?.by ?? "?"); no more reminders"
    }

    enum CodingKeys: String, CodingKey {
        case result, alarm, error
        case alarmId = "alarm_id"
    }
}
