import Foundation
public import SecretWatchSQLite

/// Writing down what a delivery attempt did to an outbox message (inside the attempt's transaction).
extension Store {
    /// Writes each recipient's state as the attempt settled it (`pending` ones go into the next envelope).
    static func updateRecipients(outboxId: Int64, _ results: [SMTPSendResult.RecipientResult], at: Date,
                                 _ db: SQLiteConnection) throws {
        for r in results {
            let state = r.state.rawValue
            try db.run("""
                UPDATE outbox_recipients SET state = ?, smtp_code = ?, enhanced_code = ?, reply = ?, updated_at = ?
                WHERE outbox_id = ? AND address = ?
                """, [state, r.reply?.code, r.reply?.enhancedCode, r.reply.map { Redactor.scrub($0.line) }, at, outboxId, r.address])
        }
    }

    /// Marks every still-pending recipient refused (the message failed for good).
    static func refuseRemaining(outboxId: Int64, reply: String?, at: Date, _ db: SQLiteConnection) throws {
        try db.run("UPDATE outbox_recipients SET state = 'refused', reply = COALESCE(reply, ?), updated_at = ? WHERE outbox_id = ? AND state = 'pending'",
                   [reply.map(Redactor.scrub), at, outboxId])
    }

    static func pendingRecipientCount(outboxId: Int64, _ db: SQLiteConnection) throws -> Int {
        try db.scalar("SELECT COUNT(*) FROM outbox_recipients WHERE outbox_id = ? AND state = 'pending'", [outboxId])?.int ?? 0
    }

    /// Finishes an attempt: `sent`/`failed` end the message; `queued` schedules the next attempt.
    static func finishAttempt(outboxId: Int64, state: OutboxMessage.State, nextAttemptAt: Date?, reason: String?,
                              reply: String?, at: Date, _ db: SQLiteConnection) throws {
        let finished: Date? = (state == .sent || state == .failed) ? at : nil
        try db.run("""
            UPDATE outbox SET state = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, next_attempt_at),
                              claimed_at = NULL, finished_at = ?, last_reason = ?, last_reply = ?
            WHERE id = ?
            """, [state.rawValue, nextAttemptAt, finished, reason, reply.map(Redactor.scrub), outboxId])
    }
}

extension Store {
    /// Deletes finished (sent or failed) outbox messages and their recipient rows finished before `before`;
    /// the delivery history keeps every attempt. Returns how many messages were removed.
    @discardableResult
    public func pruneOutbox(finishedBefore before: Date) throws -> Int {
        try transaction { db in
            let finished = "SELECT id FROM outbox WHERE state IN ('sent', 'failed') AND finished_at < ?"
            try db.run("DELETE FROM outbox_recipients WHERE outbox_id IN (\(finished))", [before])
            try db.run("DELETE FROM outbox WHERE state IN ('sent', 'failed') AND finished_at < ?", [before])
            return db.changes
        }
    }
}
