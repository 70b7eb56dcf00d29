import Foundation

/// What one bounded delivery round (`run --once`) did with the mail that was due, and what it left queued.
/// Mail whose next attempt lies after the round's deadline (a retry backing off) was not due: it is counted as
/// `waiting`, not as undelivered.
public struct OutboxRound: Sendable, Equatable {
    /// Messages accepted by the server for every recipient during the round.
    public var sent: Int
    /// Messages that were due (their next attempt at or before the deadline, or attempted in the round) and are
    /// still queued.
    public var undelivered: Int
    /// Messages that ended in the round without reaching every recipient: refused for good, given up, or a
    /// recipient refused.
    public var failed: Int
    /// Queued messages not due before the deadline, left for a later run, and the earliest of their next attempts.
    public var waiting: Int
    public var nextAttemptAt: Date?
    /// The round's last failed attempt: its reason and the server's reply (or the failure's detail).
    public var lastReason: String?
    public var lastReply: String?

    public init(sent: Int = 0, undelivered: Int = 0, failed: Int = 0, waiting: Int = 0, nextAttemptAt: Date? = nil,
                lastReason: String? = nil, lastReply: String? = nil) {
        self.sent = sent
        self.undelivered = undelivered
        self.failed = failed
        self.waiting = waiting
        self.nextAttemptAt = nextAttemptAt
        self.lastReason = lastReason
        self.lastReply = lastReply
    }

    /// Everything that was due went out.
    public var complete: Bool { undelivered == 0 && failed == 0 }
}
