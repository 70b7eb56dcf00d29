import Foundation

/// What the outbox holds right now, as the mailer reports it through `TelemetryObserver.outbox(_:)` after
/// every change (enqueue, delivery, give-up) and once at start-up. The metrics registry exports it as
/// `secretwatch_outbox_messages` and `secretwatch_outbox_oldest_queued_timestamp_seconds`; until a mailer
/// reports, the outbox counts as empty.
public struct OutboxState: Sendable, Equatable {
    /// Messages waiting to be sent (queued or deferred for a retry).
    public var depth: Int
    /// When the oldest waiting message was queued; nil when the outbox is empty.
    public var oldestQueuedAt: Date?

    public init(depth: Int, oldestQueuedAt: Date?) {
        self.depth = depth
        self.oldestQueuedAt = oldestQueuedAt
    }

    public static let empty = OutboxState(depth: 0, oldestQueuedAt: nil)
}
