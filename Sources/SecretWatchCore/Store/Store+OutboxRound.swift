import Foundation

extension Store {
    /// How the outbox stands after a delivery round that started at `start` and ended at `deadline`
    /// (`DeliveryService.deliverDue`). A message counts as tried in the round when a delivery row since `start`
    /// names it.
    public func outboxRound(since start: Date, deadline: Date) throws -> OutboxRound {
        try read { db in
            let tried = "message_id IN (SELECT message_id FROM deliveries WHERE attempted_at >= ?)"
            var round = OutboxRound()
            round.sent = try db.scalar("""
                SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND last_reason IS NULL AND finished_at >= ?
                """, [start])?.int ?? 0
            round.failed = try db.scalar("""
                SELECT COUNT(*) FROM outbox WHERE finished_at >= ? AND (state = 'failed' OR (state = 'sent' AND last_reason IS NOT NULL))
                """, [start])?.int ?? 0
            round.undelivered = try db.scalar("""
                SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending') AND (next_attempt_at <= ? OR \(tried))
                """, [deadline, start])?.int ?? 0
            if let waiting = try db.query("""
                SELECT COUNT(*) AS n, MIN(next_attempt_at) AS next FROM outbox
                WHERE state = 'queued' AND next_attempt_at > ? AND NOT \(tried)
                """, [deadline, start]).first {
                round.waiting = waiting["n"].int ?? 0
                round.nextAttemptAt = waiting["next"].date
            }
            if let last = try db.query("""
                SELECT reason, reply FROM deliveries WHERE attempted_at >= ? AND outcome <> 'sent' ORDER BY id DESC LIMIT 1
                """, [start]).first {
                round.lastReason = last["reason"].string
                round.lastReply = last["reply"].string
            }
            return round
        }
    }
}
