import Foundation

/// A change in an alarm's life, handed to observers inside the transaction that made it (so that, for
/// example, the alarm e-mail is queued atomically with the alarm change).
public struct AlarmTransition: Sendable {
    public var type: AlarmEventType
    /// The alarm after the change.
    public var alarm: Alarm
    public var credential: Credential
    /// The severity before the change (escalations).
    public var previousSeverity: Severity?
    public var detail: String
}

public protocol AlarmTransitionObserver: Sendable {
    /// Called inside the transaction; throwing rolls the alarm change back.
    func alarmDidTransition(_ transition: AlarmTransition, tx: StoreTransaction) throws
}
