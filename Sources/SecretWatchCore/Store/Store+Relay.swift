import FoundationEssentials
internal import SecretWatchSQLite

/// Relayed webhook notifications: the outbox row tagged with its receiver and claimed after alarm mail, and the
/// de-duplication keys (`relay_notifications`) that turn a resend within the window into "duplicate". `RelayIntake`
/// runs these in one transaction, so a notification is either queued with its key or not at all.
extension StoreTransaction {
    /// The notification already relayed with this key at or after `since`: its Message-ID and outbox id.
    public func relayNotification(dedupKey: String, since: Date) throws -> (messageId: String, outboxId: Int64)? {
        guard let row = try query("""
            SELECT message_id, outbox_id FROM relay_notifications WHERE dedup_key = ? AND received_at >= ?
            """, [dedupKey, since]).first else { return nil }
        return (row["message_id"].string!, row["outbox_id"].int64!)
    }

    /// Queues a relayed notification's mail (kind `relay`, claimed after alarm mail) for `receiver`.
    @discardableResult
    public func enqueueRelay(_ message: MailMessage, receiver: String, at: Date) throws -> Int64 {
        let id = try enqueue(message, kind: .relay, at: at)
        try run("UPDATE outbox SET receiver = ?, priority = ? WHERE id = ?", [receiver, OutboxMessage.Kind.relay.priority, id])
        return id
    }

    /// Remembers a relayed notification's key (replacing one from outside the window).
    public func recordRelayNotification(dedupKey: String, receiver: String, messageId: String, outboxId: Int64, at: Date) throws {
        try run("""
            INSERT INTO relay_notifications (dedup_key, receiver, message_id, outbox_id, received_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(dedup_key) DO UPDATE SET receiver = excluded.receiver, message_id = excluded.message_id,
                                                 outbox_id = excluded.outbox_id, received_at = excluded.received_at
            """, [dedupKey, receiver, messageId, outboxId, at])
    }

    /// Recipients of relayed mail queued after `since` (any state), and when the oldest of those mails was queued.
    public func relayRecipients(queuedSince since: Date) throws -> (count: Int, oldest: Date?) {
        let row = try query("""
            SELECT COUNT(r.address) AS recipients, MIN(o.queued_at) AS oldest
            FROM outbox o JOIN outbox_recipients r ON r.outbox_id = o.id
            WHERE o.receiver IS NOT NULL AND o.queued_at > ?
            """, [since]).first
        return (row?["recipients"].int ?? 0, row?["oldest"].date)
    }

    /// Forgets keys received before `before` (the outbox prune step; the window is at most a day).
    func pruneRelayNotifications(receivedBefore before: Date) throws {
        try run("DELETE FROM relay_notifications WHERE received_at < ?", [before])
    }

    /// When the oldest waiting (queued or sending) relay mail of each receiver was queued.
    func relayOldestQueued() throws -> [String: Date] {
        var oldest: [String: Date] = [:]
        for row in try query("""
            SELECT receiver, MIN(queued_at) AS oldest FROM outbox
            WHERE state IN ('queued', 'sending') AND receiver IS NOT NULL GROUP BY receiver
            """) {
            guard let receiver = row["receiver"].string, let date = row["oldest"].date else { continue }
            oldest[receiver] = min(oldest[receiver] ?? date, date)
        }
        return oldest
    }
}
