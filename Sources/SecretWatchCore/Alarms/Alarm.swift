import Foundation

public enum AlarmState: String, Sendable, Codable, CaseIterable {
    case active
    case cleared
}

/// One alarm: a (kind, credential) problem from the moment it is raised until it is cleared.
public struct Alarm: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: AlarmKind
    public var credentialId: Int64
    public var credentialName: String
    public var state: AlarmState
    public var severity: Severity
    /// For `client_secret_expiring`: the threshold (days) last crossed.
    public var thresholdDays: Int?
    /// For expiry alarms: the expiry date the alarm is about (a different date means the secret was rotated).
    public var expiresAt: Date?
    /// Classified failure reason (token and mail alarms, or an identity provider's verdict).
    public var reason: String?
    public var summary: String
    public var raisedAt: Date
    public var updatedAt: Date
    public var clearedAt: Date?
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var acknowledgeComment: String?
    public var notifiedAt: Date?
    public var notifyCount: Int

    public var isActive: Bool { state == .active }
    public var isAcknowledged: Bool { acknowledgedAt != nil }
}

public enum AlarmEventType: String, Sendable, Codable, CaseIterable {
    case raised
    case escalated
    case updated
    case notified
    case renotified
    case acknowledged
    case cleared
}

/// One transition in an alarm's life; the history is the ordered list of these.
public struct AlarmEvent: Sendable, Equatable, Codable {
    public var id: Int64
    public var alarmId: Int64
    public var at: Date
    public var type: AlarmEventType
    public var severity: Severity?
    public var detail: String
}
