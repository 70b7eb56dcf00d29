import Foundation
internal import SecretWatchSQLite

/// Delivery attempts: what an attempt did to its outbox message (written inside the attempt's transaction, see
/// `DeliveryService.record`), the history of attempts (one row per SMTP attempt, kept when its outbox message is
/// pruned), and how a delivery round ended.
extension Store {
    @discardableResult
    public func recordDelivery(_ d: Delivery) throws -> Int64 {
        try read { tx in try tx.insertDelivery(d) }
    }

    /// Recent delivery attempts, newest first; `beforeId` continues a previous page.
    public func deliveries(limit: Int = 50, beforeId: Int64? = nil) throws -> [Delivery] {
        try read { tx in
            let rows = if let beforeId {
                try tx.query("SELECT * FROM deliveries WHERE id < ? ORDER BY id DESC LIMIT ?", [beforeId, limit])
            } else {
                try tx.query("SELECT * FROM deliveries ORDER BY id DESC LIMIT ?", [limit])
            }
            return rows.map(StoreTransaction.delivery)
        }
    }

    /// The newest delivery attempt of a message.
    public func lastDelivery(messageId: String) throws -> Delivery? {
        try read { tx in
            try tx.query("SELECT * FROM deliveries WHERE message_id = ? ORDER BY id DESC LIMIT 1", [messageId]).first
                .map(StoreTransaction.delivery)
        }
    }

    /// How the outbox stands after a delivery round that started at `start` and ended at `deadline`
    /// (`DeliveryService.deliverDue`). A message counts as tried in the round when a delivery row since `start`
    /// names it.
    public func outboxRound(since start: Date, deadline: Date) throws -> OutboxRound {
        try read { tx in
            let tried = "message_id IN (SELECT message_id FROM deliveries WHERE attempted_at >= ?)"
            var round = OutboxRound()
            round.sent = try tx.scalar("""
                SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND last_reason IS NULL AND finished_at >= ?
                """, [start])?.int ?? 0
            round.failed = try tx.scalar("""
                SELECT COUNT(*) FROM outbox WHERE finished_at >= ? AND (state = 'failed' OR (state = 'sent' AND last_reason IS NOT NULL))
                """, [start])?.int ?? 0
            round.undelivered = try tx.scalar("""
                SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending') AND (next_attempt_at <= ? OR \(tried))
                """, [deadline, start])?.int ?? 0
            if let waiting = try tx.query("""
                SELECT COUNT(*) AS n, MIN(next_attempt_at) AS next FROM outbox
                WHERE state = 'queued' AND next_attempt_at > ? AND NOT \(tried)
                """, [deadline, start]).first {
                round.waiting = waiting["n"].int ?? 0
                round.nextAttemptAt = waiting["next"].date
            }
            if let last = try tx.query("""
                SELECT reason, reply FROM deliveries WHERE attempted_at >= ? AND outcome <> 'sent' ORDER BY id DESC LIMIT 1
                """, [start]).first {
                round.lastReason = last["reason"].string
                round.lastReply = last["reply"].string
            }
            return round
        }
    }
}

extension StoreTransaction {
    /// Records one delivery attempt (tagged with its outbox message's relay receiver, if any); returns its id.
    @discardableResult
    public func insertDelivery(_ d: Delivery) throws -> Int64 {
        try run("""
            INSERT INTO deliveries (message_id, attempted_at, duration_seconds, recipients, outcome, reason, smtp_code,
                                    enhanced_code, reply, receiver)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, (SELECT receiver FROM outbox WHERE message_id = ?)))
            """, [d.messageId, d.attemptedAt, d.duration, d.recipients.joined(separator: ","), d.outcome.rawValue,
                  d.reason, d.smtpCode, d.enhancedCode, d.reply.map(Redactor.scrub), d.receiver, d.messageId])
        return lastInsertRowID
    }

    /// Writes each recipient's state as the attempt settled it (`pending` ones go into the next envelope).
    func updateRecipients(outboxId: Int64, _ results: [SMTPSendResult.RecipientResult], at: Date) throws {
        for r in results {
            let state = r.state.rawValue
            try run("""
                UPDATE outbox_recipients SET state = ?, smtp_code = ?, enhanced_code = ?, reply = ?, updated_at = ?
                WHERE outbox_id = ? AND address = ?
                """, [state, r.reply?.code, r.reply?.enhancedCode, r.reply.map { Redactor.scrub($0.line) }, at, outboxId, r.address])
        }
    }

    /// Marks every still-pending recipient refused (the message failed for good).
    func refuseRemaining(outboxId: Int64, reply: String?, at: Date) throws {
        try run("UPDATE outbox_recipients SET state = 'refused', reply = COALESCE(reply, ?), updated_at = ? WHERE outbox_id = ? AND state = 'pending'",
                [reply.map(Redactor.scrub), at, outboxId])
    }

    func pendingRecipientCount(outboxId: Int64) throws -> Int {
        try scalar("SELECT COUNT(*) FROM outbox_recipients WHERE outbox_id = ? AND state = 'pending'", [outboxId])?.int ?? 0
    }

    /// Finishes an attempt: `sent`/`failed` end the message; `queued` schedules the next attempt.
    func finishAttempt(outboxId: Int64, state: OutboxMessage.State, nextAttemptAt: Date?, reason: String?,
                       reply: String?, at: Date) throws {
        let finished: Date? = (state == .sent || state == .failed) ? at : nil
        try run("""
            UPDATE outbox SET state = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, next_attempt_at),
                              claimed_at = NULL, finished_at = ?, last_reason = ?, last_reply = ?
            WHERE id = ?
            """, [state.rawValue, nextAttemptAt, finished, reason, reply.map(Redactor.scrub), outboxId])
    }

    static func delivery(_ row: SQLRow) -> Delivery {
        Delivery(id: row["id"].int64, messageId: row["message_id"].string!, attemptedAt: row["attempted_at"].date!,
                 duration: row["duration_seconds"].double ?? 0,
                 recipients: row["recipients"].string!.split(separator: ",").map(String.init),
                 outcome: Delivery.Outcome(rawValue: row["outcome"].string!) ?? .failed,
                 reason: row["reason"].string, smtpCode: row["smtp_code"].int, enhancedCode: row["enhanced_code"].string,
                 reply: row["reply"].string, receiver: row["receiver"].string)
    }
}
