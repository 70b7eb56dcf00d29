import Foundation
public import SecretWatchSQLite

extension Store {
    /// Records one delivery attempt (inside the caller's transaction); returns its id.
    @discardableResult
    public static func insertDelivery(_ d: Delivery, _ db: SQLiteConnection) throws -> Int64 {
        try db.run("""
            INSERT INTO deliveries (message_id, attempted_at, duration_seconds, recipients, outcome, reason, smtp_code,
                                    enhanced_code, reply)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [d.messageId, d.attemptedAt, d.duration, d.recipients.joined(separator: ","), d.outcome.rawValue,
                  d.reason, d.smtpCode, d.enhancedCode, d.reply.map(Redactor.scrub)])
        return db.lastInsertRowID
    }

    @discardableResult
    public func recordDelivery(_ d: Delivery) throws -> Int64 {
        try read { db in try Self.insertDelivery(d, db) }
    }

    /// Recent delivery attempts, newest first; `beforeId` continues a previous page.
    public func deliveries(limit: Int = 50, beforeId: Int64? = nil) throws -> [Delivery] {
        try read { db in
            let rows = if let beforeId {
                try db.query("SELECT * FROM deliveries WHERE id < ? ORDER BY id DESC LIMIT ?", [beforeId, limit])
            } else {
                try db.query("SELECT * FROM deliveries ORDER BY id DESC LIMIT ?", [limit])
            }
            return rows.map(Self.delivery)
        }
    }

    static func delivery(_ row: SQLRow) -> Delivery {
        Delivery(id: row["id"].int64, messageId: row["message_id"].string!, attemptedAt: row["attempted_at"].date!,
                 duration: row["duration_seconds"].double ?? 0,
                 recipients: row["recipients"].string!.split(separator: ",").map(String.init),
                 outcome: Delivery.Outcome(rawValue: row["outcome"].string!) ?? .failed,
                 reason: row["reason"].string, smtpCode: row["smtp_code"].int, enhancedCode: row["enhanced_code"].string,
                 reply: row["reply"].string)
    }
}
