import Foundation

/// Which alarms a listing wants: newest first, `limit` at a time, continuing below `beforeId`.
public struct AlarmFilter: Sendable, Equatable {
    public enum StateFilter: String, Sendable, CaseIterable { case active, cleared, all }

    public var state: StateFilter = .all
    public var kind: AlarmKind?
    public var credential: String?
    /// Only alarms raised at or after this time.
    public var since: Date?
    /// Only alarms raised before this time.
    public var until: Date?
    public var limit: Int = 50
    /// Cursor: only alarms with a smaller id (the last id of the previous page).
    public var beforeId: Int64?

    public init(state: StateFilter = .all, kind: AlarmKind? = nil, credential: String? = nil, since: Date? = nil,
                until: Date? = nil, limit: Int = 50, beforeId: Int64? = nil) {
        self.state = state
        self.kind = kind
        self.credential = credential
        self.since = since
        self.until = until
        self.limit = limit
        self.beforeId = beforeId
    }
}
