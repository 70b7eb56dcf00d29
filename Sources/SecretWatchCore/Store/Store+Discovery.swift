import FoundationEssentials
internal import SecretWatchSQLite

/// One discovery of one tenant: when, how long, and what it found or why it failed.
public struct DiscoveryRun: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable { case success, failure }

    public var id: Int64?
    /// The `discovery.tenants[]` entry's name.
    public var tenant: String
    public var startedAt: Date
    public var duration: TimeInterval
    public var outcome: Outcome
    /// The classified failure reason (a Graph or token reason).
    public var reason: String?
    /// The failure's message and evidence, scrubbed; nil on success.
    public var detail: String?
    /// Applications listed (before the filters) and credentials kept (after them).
    public var applications: Int?
    public var credentials: Int?
    public var pages: Int?
}

/// What storing one tenant's discovered credentials changed.
public struct DiscoverySync: Sendable, Equatable {
    public var added = 0
    public var updated = 0
    /// Credentials no longer in Graph, or no longer kept by the tenant's filters: unwatched with the reason
    /// "removed in Entra" or "excluded by the discovery filters" (their alarms clear at the next expiry evaluation,
    /// their history stays).
    public var removed = 0
}

extension Store {
    /// The last `limit` runs of a tenant (or of every tenant), newest first.
    public func discoveryRuns(tenant: String? = nil, limit: Int = 20) throws -> [DiscoveryRun] {
        try read { tx in try tx.discoveryRuns(tenant: tenant, limit: limit) }
    }

    /// The newest run of each tenant, by tenant name.
    public func lastDiscoveryRuns() throws -> [String: DiscoveryRun] {
        try read { tx in
            let rows = try tx.query("SELECT * FROM discovery_runs WHERE id IN (SELECT MAX(id) FROM discovery_runs GROUP BY tenant)")
            return Dictionary(rows.map { ($0["tenant"].string!, StoreTransaction.discoveryRun($0)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// The newest successful run of each tenant, by tenant name.
    public func lastSuccessfulDiscoveryRuns() throws -> [String: DiscoveryRun] {
        try read { tx in
            let rows = try tx.query("""
                SELECT * FROM discovery_runs WHERE id IN
                    (SELECT MAX(id) FROM discovery_runs WHERE outcome = 'success' GROUP BY tenant)
                """)
            return Dictionary(rows.map { ($0["tenant"].string!, StoreTransaction.discoveryRun($0)) }, uniquingKeysWith: { a, _ in a })
        }
    }
}

extension StoreTransaction {
    @discardableResult
    func insertDiscoveryRun(_ run: DiscoveryRun) throws -> Int64 {
        try self.run("""
            INSERT INTO discovery_runs (tenant, started_at, duration_seconds, outcome, reason, detail, applications,
                                        credentials, pages)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [run.tenant, run.startedAt, run.duration, run.outcome.rawValue, run.reason, run.detail.map(Redactor.scrub),
                  run.applications, run.credentials, run.pages])
        return lastInsertRowID
    }

    func discoveryRuns(tenant: String?, limit: Int) throws -> [DiscoveryRun] {
        if let tenant {
            return try query("SELECT * FROM discovery_runs WHERE tenant = ? ORDER BY id DESC LIMIT ?", [tenant, limit]).map(Self.discoveryRun)
        }
        return try query("SELECT * FROM discovery_runs ORDER BY id DESC LIMIT ?", [limit]).map(Self.discoveryRun)
    }

    static func discoveryRun(_ row: SQLRow) -> DiscoveryRun {
        DiscoveryRun(id: row["id"].int64, tenant: row["tenant"].string!, startedAt: row["started_at"].date!,
                     duration: row["duration_seconds"].double ?? 0,
                     outcome: DiscoveryRun.Outcome(rawValue: row["outcome"].string!) ?? .failure,
                     reason: row["reason"].string, detail: row["detail"].string, applications: row["applications"].int,
                     credentials: row["credentials"].int, pages: row["pages"].int)
    }

    /// Makes the stored credentials of discovery tenant `tenant` match what Graph listed: each is identified by
    /// (tenant id, app id, key id); new ones are inserted, changed ones updated (their name follows the display
    /// names), and watched ones Graph no longer lists are unwatched as "removed in Entra" (or, when Graph still lists
    /// them and the filters dropped them, `excluded`, as excluded by the filters). A name already taken by another
    /// credential gets the key id appended.
    func syncDiscovered(tenant: String, _ credentials: [Credential], excluded: Set<String> = [], now: Date) throws -> DiscoverySync {
        var sync = DiscoverySync()
        var seen = Set<Int64>()
        seen.reserveCapacity(credentials.count)
        var existing: [String: (id: Int64, name: String, watched: Bool, fingerprint: String, key: String)] = [:]
        try forEach("""
            SELECT id, name, watched, tenant_id, client_id, key_id, display_name, app_name, type, expires_at, started_at
            FROM credentials WHERE source = 'graph' AND discovery_tenant = ?
            """, [tenant]) { row in
            let key = Self.identity(row["tenant_id"].string!, row["client_id"].string!, row["key_id"].string ?? "")
            existing[key] = (row["id"].int64!, row["name"].string!, row["watched"].int == 1,
                             Self.fingerprint(row["display_name"].string, row["app_name"].string, row["type"].string,
                                              row["expires_at"].date, row["started_at"].date),
                             DiscoveredCredentials.identity(appId: row["client_id"].string!, keyId: row["key_id"].string ?? ""))
        }
        for c in credentials {
            precondition(c.source == .graph && c.keyId != nil, "only credentials read from Graph are discovered")
            let key = Self.identity(c.tenantId, c.clientId, c.keyId!)
            let fingerprint = Self.fingerprint(c.displayName, c.appName, c.type.rawValue, c.expiresAt, c.startsAt)
            if let row = existing[key] {
                seen.insert(row.id)
                if row.watched && row.fingerprint == fingerprint && row.name == c.name { continue }
                let name = row.name == c.name ? c.name : try freeName(c.name, keyId: c.keyId!, except: row.id)
                try run("""
                    UPDATE credentials SET name = ?, display_name = ?, app_name = ?, type = ?, expires_at = ?,
                        started_at = ?, watched = 1, removed_reason = NULL, updated_at = ? WHERE id = ?
                    """, [name, c.displayName, c.appName, c.type.rawValue, c.expiresAt, c.startsAt, now, row.id])
                sync.updated += 1
            } else {
                let name = try freeName(c.name, keyId: c.keyId!, except: nil)
                try run("""
                    INSERT INTO credentials (name, display_name, tenant_id, client_id, has_secret, expires_at, watched,
                                             created_at, updated_at, source, type, key_id, discovery_tenant, app_name,
                                             started_at)
                    VALUES (?, ?, ?, ?, 0, ?, 1, ?, ?, 'graph', ?, ?, ?, ?, ?)
                    """, [name, c.displayName, c.tenantId, c.clientId, c.expiresAt, now, now, c.type.rawValue, c.keyId,
                          tenant, c.appName, c.startsAt])
                seen.insert(lastInsertRowID)
                sync.added += 1
            }
        }
        for row in existing.values where row.watched && !seen.contains(row.id) {
            let reason = excluded.contains(row.key) ? "excluded by the discovery filters of \(tenant)" : "removed in Entra"
            try run("""
                UPDATE credentials SET watched = 0, in_use_by = NULL, removed_reason = ?, updated_at = ?
                WHERE id = ?
                """, [reason, now, row.id])
            sync.removed += 1
        }
        return sync
    }

    /// Unwatches the discovered credentials of tenants no longer configured.
    func unwatchDiscovered(exceptTenants tenants: Set<String>, now: Date) throws -> Int {
        var ids: [Int64] = []
        try forEach("SELECT id, discovery_tenant FROM credentials WHERE source = 'graph' AND watched = 1") { row in
            if !tenants.contains(row["discovery_tenant"].string ?? "") { ids.append(row["id"].int64!) }
        }
        for id in ids {
            try run("""
                UPDATE credentials SET watched = 0, in_use_by = NULL,
                    removed_reason = 'its discovery tenant is no longer in the configuration', updated_at = ? WHERE id = ?
                """, [now, id])
        }
        return ids.count
    }

    /// Stores what discovery decided of the secret a configured credential uses (nil: not compared any more).
    func setSecretInUse(credentialId: Int64, _ inUse: SecretInUse?) throws {
        try run("""
            UPDATE credentials SET match_state = ?, match_key_id = ?, entra_expires_at = ?, newer_secret_created_at = ?,
                matched_at = ? WHERE id = ?
            """, [inUse?.state.rawValue, inUse?.keyId, inUse?.expiresAt, inUse?.newerSecretCreatedAt, inUse?.decidedAt,
                  credentialId])
    }

    /// Names, on the discovered credentials of `tenant`, the configured credential that uses each (by key id).
    func setInUseBy(tenant: String, _ users: [String: String]) throws {
        try run("UPDATE credentials SET in_use_by = NULL WHERE source = 'graph' AND discovery_tenant = ? AND in_use_by IS NOT NULL",
                [tenant])
        for (keyId, name) in users {
            try run("UPDATE credentials SET in_use_by = ? WHERE source = 'graph' AND discovery_tenant = ? AND key_id = ?",
                    [name, tenant, keyId])
        }
    }

    private func freeName(_ name: String, keyId: String, except id: Int64?) throws -> String {
        let owner = try scalar("SELECT id FROM credentials WHERE name = ?", [name])?.int64
        if owner == nil || owner == id { return name }
        return "\(name) [\(keyId)]"
    }

    private static func identity(_ tenant: String, _ client: String, _ key: String) -> String {
        "\(tenant.lowercased())\u{1}\(client.lowercased())\u{1}\(key.lowercased())"
    }

    private static func fingerprint(_ display: String?, _ app: String?, _ type: String?, _ expires: Date?, _ starts: Date?) -> String {
        "\(display ?? "")\u{1}\(app ?? "")\u{1}\(type ?? "")\u{1}\(expires?.timeIntervalSince1970 ?? -1)\u{1}\(starts?.timeIntervalSince1970 ?? -1)"
    }
}

extension StoreTransaction {
    /// Configured credentials that carry a discovery verdict on their secret.
    func credentialsWithSecretInUse() throws -> [CredentialRecord] {
        try query("SELECT * FROM credentials WHERE match_state IS NOT NULL ORDER BY id").map(Self.credentialRecord)
    }
}
