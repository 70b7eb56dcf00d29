import Foundation

/// An alarm as shown to people and programs (CLI `--json`, `/api/v1/alarms`): stable snake_case fields.
public struct AlarmView: Encodable, Sendable, Equatable {
    public struct Acknowledgement: Encodable, Sendable, Equatable {
        public var at: Date
        public var by: String
        public var comment: String?
    }

    public struct Event: Encodable, Sendable, Equatable {
        public var id: Int64
        public var at: Date
        public var type: String
        public var severity: String?
        public var detail: String
    }

    public var id: Int64
    public var kind: String
    public var title: String
    public var credential: String
    public var state: String
    public var severity: String
    public var thresholdDays: Int?
    public var expiresAt: Date?
    public var reason: String?
    public var summary: String
    public var raisedAt: Date
    public var updatedAt: Date
    public var clearedAt: Date?
    public var acknowledged: Acknowledgement?
    public var notifiedAt: Date?
    public var notifyCount: Int
    public var events: [Event]?

    enum CodingKeys: String, CodingKey {
        case id, kind, title, credential, state, severity, reason, summary, acknowledged, events
        case thresholdDays = "threshold_days"
        case expiresAt = "expires_at"
        case raisedAt = "raised_at"
        case updatedAt = "updated_at"
        case clearedAt = "cleared_at"
        case notifiedAt = "notified_at"
        case notifyCount = "notify_count"
    }

    public init(_ alarm: Alarm, events: [AlarmEvent]? = nil) {
        id = alarm.id
        kind = alarm.kind.rawValue
        title = alarm.kind.title
        credential = alarm.credentialName
        state = alarm.state.rawValue
        severity = alarm.severity.rawValue
        thresholdDays = alarm.thresholdDays
        expiresAt = alarm.expiresAt
        reason = alarm.reason
        summary = alarm.summary
        raisedAt = alarm.raisedAt
        updatedAt = alarm.updatedAt
        clearedAt = alarm.clearedAt
        acknowledged = alarm.acknowledgedAt.map {
            Acknowledgement(at: $0, by: alarm.acknowledgedBy ?? "", comment: alarm.acknowledgeComment)
        }
        notifiedAt = alarm.notifiedAt
        notifyCount = alarm.notifyCount
        self.events = events?.map { Event(id: $0.id, at: $0.at, type: $0.type.rawValue, severity: $0.severity?.rawValue, detail: $0.detail) }
    }
}
