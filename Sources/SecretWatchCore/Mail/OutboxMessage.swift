import Foundation

/// A queued e-mail as the outbox holds it: the rendered bytes, the recipients still to reach, and where its
/// delivery stands. Written before any attempt, so nothing is lost when the process dies.
public struct OutboxMessage: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case queued, sending, sent, failed
    }

    /// What the mail is about (`alarm`, `reminder`, `test`).
    public enum Kind: String, Sendable, Codable {
        case alarm, reminder, test
    }

    public var id: Int64
    public var messageId: String
    public var kind: Kind
    public var alarmId: Int64?
    public var from: String
    public var subject: String
    /// The rendered RFC 5322 message (7-bit), sent unchanged by every attempt.
    public var content: String
    public var state: State
    public var attempts: Int
    public var queuedAt: Date
    public var nextAttemptAt: Date
    public var finishedAt: Date?
    public var lastReason: String?
    public var lastReply: String?
    /// Recipients not yet accepted nor refused for good.
    public var pendingRecipients: [String]
}

/// How deep the outbox is, for `/metrics` and the outbox-age alarm (read cheaply: one indexed query).
public struct OutboxSnapshot: Sendable, Equatable {
    /// Messages queued or being sent.
    public var depth: Int
    /// When the oldest of them was queued.
    public var oldestQueuedAt: Date?
    /// The last failure reason of the oldest one.
    public var oldestLastReason: String?
    public var failed: Int
    public var sent: Int
}
