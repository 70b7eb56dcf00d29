import FoundationEssentials
internal import SecretWatchSQLite

/// The history of token requests, one row per attempt.
extension Store {
    /// Records one token attempt; returns its id. Free text is scrubbed before it is written.
    @discardableResult
    public func recordTokenAttempt(_ a: TokenAttempt) throws -> Int64 {
        try read { tx in
            guard let credentialId = try tx.scalar("SELECT id FROM credentials WHERE name = ?", [a.credential])?.int64 else {
                throw StoreError(SQLiteError(code: 19, message: "no credential named \(a.credential)", context: "recording a token attempt"))
            }
            try tx.run("""
                INSERT INTO token_attempts (credential_id, started_at, duration_seconds, outcome, reason, http_status,
                                            aadsts_code, error, message, trace_id, correlation_id, expires_in, scope)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [credentialId, a.startedAt, a.duration, a.outcome.rawValue, a.reason, a.httpStatus, a.aadstsCode,
                      a.error.map(Redactor.scrub), a.message.map(Redactor.scrub), a.traceId, a.correlationId, a.expiresIn,
                      a.scope])
            return tx.lastInsertRowID
        }
    }

    /// The most recent attempts, newest first (optionally of one credential).
    public func tokenAttempts(credential: String? = nil, limit: Int = 50, beforeId: Int64? = nil) throws -> [TokenAttempt] {
        var conditions: [String] = []
        var parameters: [any SQLBindable] = []
        if let credential { conditions.append("c.name = ?"); parameters.append(credential) }
        if let beforeId { conditions.append("t.id < ?"); parameters.append(beforeId) }
        parameters.append(limit)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try read { tx in
            try tx.query("""
                SELECT t.*, c.name AS credential_name FROM token_attempts t JOIN credentials c ON c.id = t.credential_id
                \(whereClause) ORDER BY t.id DESC LIMIT ?
                """, parameters).map(StoreTransaction.tokenAttempt)
        }
    }

    /// The last attempt of each credential, by credential name.
    public func lastTokenAttempts() throws -> [String: TokenAttempt] {
        try read { tx in
            let rows = try tx.query("""
                SELECT t.*, c.name AS credential_name FROM token_attempts t JOIN credentials c ON c.id = t.credential_id
                WHERE t.id IN (SELECT MAX(id) FROM token_attempts GROUP BY credential_id)
                """)
            return Dictionary(rows.map { (($0["credential_name"].string!), StoreTransaction.tokenAttempt($0)) }, uniquingKeysWith: { a, _ in a })
        }
    }
}

extension StoreTransaction {
    /// The last `limit` attempts of one credential, newest first; with `scope`, only those for that scope (and
    /// rows recorded before scopes were).
    func recentTokenAttempts(credentialId: Int64, scope: String? = nil, limit: Int) throws -> [TokenAttempt] {
        guard let scope else {
            return try query("""
                SELECT t.*, c.name AS credential_name FROM token_attempts t JOIN credentials c ON c.id = t.credential_id
                WHERE t.credential_id = ? ORDER BY t.id DESC LIMIT ?
                """, [credentialId, limit]).map(Self.tokenAttempt)
        }
        return try query("""
            SELECT t.*, c.name AS credential_name FROM token_attempts t JOIN credentials c ON c.id = t.credential_id
            WHERE t.credential_id = ? AND (t.scope IS NULL OR t.scope = ?) ORDER BY t.id DESC LIMIT ?
            """, [credentialId, scope, limit]).map(Self.tokenAttempt)
    }

    static func tokenAttempt(_ row: SQLRow) -> TokenAttempt {
        TokenAttempt(id: row["id"].int64, credential: row["credential_name"].string!, startedAt: row["started_at"].date!,
                     duration: row["duration_seconds"].double ?? 0,
                     outcome: TokenAttempt.Outcome(rawValue: row["outcome"].string!) ?? .failure,
                     reason: row["reason"].string, httpStatus: row["http_status"].int, aadstsCode: row["aadsts_code"].int,
                     error: row["error"].string, message: row["message"].string, traceId: row["trace_id"].string,
                     correlationId: row["correlation_id"].string, expiresIn: row["expires_in"].int,
                     scope: row["scope"].string)
    }
}

/// The history of SIGHUP reloads: applied, unchanged, or rejected with the reason (the old configuration
/// kept running).
extension Store {
    public struct ReloadRecord: Sendable, Equatable {
        public var at: Date
        public var outcome: String
        public var reason: String?
        public var detail: String
    }

    public func recordReload(at: Date, outcome: String, reason: String?, detail: String) throws {
        try read { tx in
            try tx.run("INSERT INTO config_reloads (at, outcome, reason, detail) VALUES (?, ?, ?, ?)",
                       [at, outcome, reason, Redactor.scrub(detail)])
        }
    }

    public func reloads(limit: Int = 20) throws -> [ReloadRecord] {
        try read { tx in
            try tx.query("SELECT * FROM config_reloads ORDER BY id DESC LIMIT ?", [limit]).map {
                ReloadRecord(at: $0["at"].date!, outcome: $0["outcome"].string!, reason: $0["reason"].string, detail: $0["detail"].string!)
            }
        }
    }
}
