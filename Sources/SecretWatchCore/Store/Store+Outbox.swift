import FoundationEssentials
internal import SecretWatchSQLite

/// The durable outbox. A message is written (rendered, with its recipients) before anybody tries to send it;
/// a worker claims it (`sending`), and the attempt's outcome lands in one transaction with its delivery row.
/// A crash leaves at most the claimed messages in `sending`; `recoverInFlight` puts them back in the queue, so
/// only they can go out twice — with the same Message-ID.
extension Store {
    @discardableResult
    public func enqueue(_ message: MailMessage, kind: OutboxMessage.Kind, alarmId: Int64? = nil, at: Date) throws -> Int64 {
        try transaction { tx in try tx.enqueue(message, kind: kind, alarmId: alarmId, at: at) }
    }

    /// Puts messages a dead process had claimed back in the queue; returns how many.
    @discardableResult
    public func recoverInFlight() throws -> Int {
        try transaction { tx in
            try tx.run("UPDATE outbox SET state = 'queued', claimed_at = NULL WHERE state = 'sending'")
            return tx.changes
        }
    }

    /// Claims the message due first (state `sending`), or nil when none is due at `now`.
    public func claimNextDue(now: Date) throws -> OutboxMessage? {
        try claimDue(now: now, limit: 1).first
    }

    /// Claims up to `limit` messages due at `now`, due first, in one transaction (state `sending`).
    public func claimDue(now: Date, limit: Int) throws -> [OutboxMessage] {
        try transaction { tx in try tx.claimDue(now: now, limit: limit) }
    }

    /// Returns a claimed message to the queue untouched (shutdown before its attempt started).
    public func release(outboxId: Int64) throws {
        try release(outboxIds: [outboxId])
    }

    /// Returns claimed messages to the queue untouched, in one transaction.
    public func release(outboxIds: [Int64]) throws {
        guard !outboxIds.isEmpty else { return }
        try transaction { tx in
            for id in outboxIds {
                try tx.run("UPDATE outbox SET state = 'queued', claimed_at = NULL WHERE id = ? AND state = 'sending'", [id])
            }
        }
    }

    /// When the next queued message becomes due.
    public func nextDueTime() throws -> Date? {
        try read { tx in try tx.scalar("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'queued'")?.date }
    }

    /// Whether a message is being sent or is due to be (queued with its attempt time reached).
    public func outboxHasWorkDue(now: Date) throws -> Bool {
        try read { tx in
            try tx.scalar("""
                SELECT EXISTS(SELECT 1 FROM outbox WHERE state = 'sending' OR (state = 'queued' AND next_attempt_at <= ?))
                """, [now])?.int == 1
        }
    }

    public func outboxSnapshot() throws -> OutboxSnapshot {
        try read { tx in
            let counts = try tx.query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
            var byState: [String: Int] = [:]
            for row in counts { byState[row["state"].string!] = row["n"].int ?? 0 }
            let oldest = try tx.query("""
                SELECT queued_at, last_reason FROM outbox WHERE state IN ('queued', 'sending') ORDER BY queued_at, id LIMIT 1
                """).first
            return OutboxSnapshot(depth: (byState["queued"] ?? 0) + (byState["sending"] ?? 0),
                                  oldestQueuedAt: oldest?["queued_at"].date, oldestLastReason: oldest?["last_reason"].string,
                                  failed: byState["failed"] ?? 0, sent: byState["sent"] ?? 0)
        }
    }

    /// The part of the snapshot `/metrics` shows (`TelemetryObserver.outbox`).
    /// One indexed query (`outbox_due` covers the state filter): the mailer calls it after every attempt.
    public func outboxState() throws -> OutboxState {
        try read { tx in try tx.outboxState() }
    }

    /// Outbox messages, newest first (optionally in one state).
    public func outboxMessages(state: OutboxMessage.State? = nil, limit: Int = 50) throws -> [OutboxMessage] {
        try read { tx in
            let rows = if let state {
                try tx.query("SELECT * FROM outbox WHERE state = ? ORDER BY id DESC LIMIT ?", [state.rawValue, limit])
            } else {
                try tx.query("SELECT * FROM outbox ORDER BY id DESC LIMIT ?", [limit])
            }
            return try rows.map { try tx.outboxMessage($0) }
        }
    }

    public func outboxMessage(id: Int64) throws -> OutboxMessage? {
        try read { tx in try tx.query("SELECT * FROM outbox WHERE id = ?", [id]).first.map { try tx.outboxMessage($0) } }
    }

    /// Every recipient of a message with its state (`pending`, `accepted`, `refused`) and the server's reply.
    public func outboxRecipients(outboxId: Int64) throws -> [(address: String, state: String, reply: String?)] {
        try read { tx in
            try tx.query("SELECT address, state, reply FROM outbox_recipients WHERE outbox_id = ? ORDER BY rowid", [outboxId])
                .map { ($0["address"].string!, $0["state"].string!, $0["reply"].string) }
        }
    }

    /// Claims one particular queued message (whatever its next attempt time), or nil when it is not queued
    /// (a running daemon took it first, or it is done).
    public func claim(outboxId: Int64, now: Date) throws -> OutboxMessage? {
        try transaction { tx in
            guard let row = try tx.query("SELECT * FROM outbox WHERE id = ? AND state = 'queued'", [outboxId]).first else { return nil }
            try tx.run("UPDATE outbox SET state = 'sending', claimed_at = ? WHERE id = ?", [now, outboxId])
            var message = try tx.outboxMessage(row)
            message.state = .sending
            return message
        }
    }

    /// Deletes finished (sent or failed) outbox messages and their recipient rows finished before `before`, and
    /// the relay de-duplication keys received before it; the delivery history keeps every attempt. Returns how many messages were removed.
    @discardableResult
    public func pruneOutbox(finishedBefore before: Date) throws -> Int {
        try transaction { tx in
            try tx.pruneRelayNotifications(receivedBefore: before)
            let finished = "SELECT id FROM outbox WHERE state IN ('sent', 'failed') AND finished_at < ?"
            try tx.run("DELETE FROM outbox_recipients WHERE outbox_id IN (\(finished))", [before])
            try tx.run("DELETE FROM outbox WHERE state IN ('sent', 'failed') AND finished_at < ?", [before])
            return tx.changes
        }
    }
}

extension StoreTransaction {
    /// Renders and queues a message; returns the outbox id.
    @discardableResult
    public func enqueue(_ message: MailMessage, kind: OutboxMessage.Kind, alarmId: Int64? = nil, at: Date) throws -> Int64 {
        let content = String(decoding: try message.rendered(), as: UTF8.self)
        try run("""
            INSERT INTO outbox (message_id, kind, alarm_id, mail_from, subject, content, state, queued_at, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)
            """, [message.messageId, kind.rawValue, alarmId, message.from, Redactor.scrub(MIMEEncoding.neutralised(message.subject)),
                  content, at, at])
        let id = lastInsertRowID
        var seen = Set<String>()
        for address in message.envelopeRecipients where seen.insert(address.lowercased()).inserted {
            try run("INSERT INTO outbox_recipients (outbox_id, address, state, updated_at) VALUES (?, ?, 'pending', ?)",
                    [id, address, at])
        }
        return id
    }

    /// Claims up to `limit` due messages (the delivery worker claims its next messages in the transaction that
    /// records its last attempt). A claimed message that is never attempted is not at risk: `Store.release` or,
    /// after a crash, `Store.recoverInFlight` puts it back in the queue unsent.
    func claimDue(now: Date, limit: Int) throws -> [OutboxMessage] {
        guard limit > 0 else { return [] }
        // Priority first (alarm mail before relay mail), then due first; `outbox_claim` serves the order.
        let rows = try query("""
            SELECT * FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY priority, next_attempt_at, id LIMIT ?
            """, [now, limit])
        return try rows.map { row in
            try run("UPDATE outbox SET state = 'sending', claimed_at = ? WHERE id = ?", [now, row["id"]])
            var message = try outboxMessage(row)
            message.state = .sending
            return message
        }
    }

    /// See `Store.outboxState()` (the delivery worker reads it where it records).
    /// The oldest time is one MIN per state, which SQLite answers from the index's first entry; asking for
    /// COUNT and MIN together made it read `queued_at` from every waiting entry (3× the count alone).
    func outboxState() throws -> OutboxState {
        let depth = try scalar("SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending')")?.int ?? 0
        let oldest = try scalar("""
            SELECT MIN(oldest) FROM (SELECT MIN(queued_at) AS oldest FROM outbox WHERE state = 'queued'
                                     UNION ALL SELECT MIN(queued_at) FROM outbox WHERE state = 'sending')
            """)?.date
        return OutboxState(depth: depth, oldestQueuedAt: oldest, relayOldestQueuedAt: try relayOldestQueued())
    }

    /// An outbox row with its still-pending recipients.
    func outboxMessage(_ row: SQLRow) throws -> OutboxMessage {
        let id = row["id"].int64!
        let pending = try query("SELECT address FROM outbox_recipients WHERE outbox_id = ? AND state = 'pending' ORDER BY rowid", [id])
            .map { $0["address"].string! }
        return OutboxMessage(id: id, messageId: row["message_id"].string!,
                             kind: OutboxMessage.Kind(rawValue: row["kind"].string!) ?? .alarm,
                             alarmId: row["alarm_id"].int64, from: row["mail_from"].string!, subject: row["subject"].string!,
                             content: row["content"].string!,
                             state: OutboxMessage.State(rawValue: row["state"].string!) ?? .queued,
                             attempts: row["attempts"].int ?? 0, queuedAt: row["queued_at"].date!,
                             nextAttemptAt: row["next_attempt_at"].date!, finishedAt: row["finished_at"].date,
                             lastReason: row["last_reason"].string, lastReply: row["last_reply"].string,
                             pendingRecipients: pending, receiver: row["receiver"].string)
    }
}
