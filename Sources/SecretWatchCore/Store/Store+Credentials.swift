import FoundationEssentials
internal import SecretWatchSQLite

extension Store {
    /// Makes the stored credentials match the configuration, in one transaction: new ones are inserted,
    /// changed ones updated, and ones no longer configured are marked unwatched (kept for history).
    /// Returns the watched credentials' records.
    @discardableResult
    public func syncCredentials(_ credentials: [Credential], now: Date) throws -> [CredentialRecord] {
        try transaction { tx in
            noteCredentialsWritten()
            try tx.writeCredentials(credentials, now: now)
            return try tx.credentials(includeUnwatched: false)
        }
    }

    /// `syncCredentials` without reading the records back: the daemon's start and reloads, where a list of
    /// 100,000 records built only to be dropped was the start-up's peak of memory.
    public func writeCredentials(_ credentials: [Credential], now: Date) throws {
        try transaction { tx in
            noteCredentialsWritten()
            try tx.writeCredentials(credentials, now: now)
        }
    }

    public func credentials(includeUnwatched: Bool = false) throws -> [CredentialRecord] {
        try read { tx in try tx.credentials(includeUnwatched: includeUnwatched) }
    }

    /// The watched credentials one at a time, by name, without building the list (the metrics' families).
    public func forEachWatchedCredential(_ body: (CredentialRecord) throws -> Void) throws {
        try read { tx in try tx.forEachWatchedCredential(body) }
    }

    public func credential(named name: String) throws -> CredentialRecord? {
        try read { tx in try tx.credential(named: name) }
    }
}

extension StoreTransaction {
    /// See `Store.syncCredentials`; the caller counts the write (`Store.noteCredentialsWritten`).
    func writeCredentials(_ credentials: [Credential], now: Date) throws {
        for c in credentials {
            precondition(c.source == .config, "only configured credentials are synchronised with the configuration")
            try run("""
                INSERT INTO credentials (name, display_name, tenant_id, client_id, mailbox, has_secret, expires_at,
                                         discovery_tenant, type, thumbprint, watched, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT(name) DO UPDATE SET
                    display_name = excluded.display_name, tenant_id = excluded.tenant_id,
                    client_id = excluded.client_id, mailbox = excluded.mailbox, has_secret = excluded.has_secret,
                    expires_at = excluded.expires_at, discovery_tenant = excluded.discovery_tenant, watched = 1,
                    type = excluded.type, thumbprint = excluded.thumbprint, removed_reason = NULL,
                    updated_at = CASE WHEN credentials.expires_at IS excluded.expires_at
                                       AND credentials.tenant_id = excluded.tenant_id
                                       AND credentials.client_id = excluded.client_id
                                       AND credentials.display_name IS excluded.display_name
                                       AND credentials.mailbox IS excluded.mailbox
                                       AND credentials.has_secret = excluded.has_secret
                                       AND credentials.discovery_tenant IS excluded.discovery_tenant
                                       AND credentials.type = excluded.type
                                       AND credentials.thumbprint IS excluded.thumbprint
                                       AND credentials.watched = 1
                                  THEN credentials.updated_at ELSE excluded.updated_at END
                """, [c.name, c.displayName, c.tenantId, c.clientId, c.mailbox, c.hasSecret, c.expiresAt,
                      c.discoveryTenant, c.type.rawValue, c.thumbprint, now, now])
        }
        let names = Set(credentials.map(\.name))
        // Row by row: only the ids of credentials no longer configured are kept.
        var removed: [SQLValue] = []
        try forEach("SELECT id, name FROM credentials WHERE watched = 1 AND source = 'config'") { row in
            if !names.contains(row["name"].string!) { removed.append(row["id"]) }
        }
        for id in removed {
            try run("UPDATE credentials SET watched = 0, removed_reason = 'no longer in the configuration', updated_at = ? WHERE id = ?",
                    [now, id])
        }
    }

    func credentials(includeUnwatched: Bool) throws -> [CredentialRecord] {
        let sql = includeUnwatched ? "SELECT * FROM credentials ORDER BY id" : "SELECT * FROM credentials WHERE watched = 1 ORDER BY id"
        return try query(sql).map(Self.credentialRecord)
    }

    func credential(named name: String) throws -> CredentialRecord? {
        try query("SELECT * FROM credentials WHERE name = ?", [name]).first.map(Self.credentialRecord)
    }

    func credential(id: Int64) throws -> CredentialRecord? {
        try query("SELECT * FROM credentials WHERE id = ?", [id]).first.map(Self.credentialRecord)
    }

    /// Every credential, watched or not, by id, one row at a time: with 100,000 credentials the list would be
    /// tens of MB. `body` may use the transaction meanwhile.
    func forEachCredential(_ body: (CredentialRecord) throws -> Void) throws {
        try forEach("SELECT * FROM credentials ORDER BY id") { row in try body(Self.credentialRecord(row)) }
    }

    /// The watched credentials by name, one row at a time.
    func forEachWatchedCredential(_ body: (CredentialRecord) throws -> Void) throws {
        try forEach("SELECT * FROM credentials WHERE watched = 1 ORDER BY name") { row in
            try body(Self.credentialRecord(row))
        }
    }

    static func credentialRecord(_ row: SQLRow) -> CredentialRecord {
        let configured = row["expires_at"].date
        let inUse = row["match_state"].string.flatMap(SecretInUse.State.init(rawValue:)).map { state in
            SecretInUse(state: state, keyId: row["match_key_id"].string, expiresAt: row["entra_expires_at"].date,
                        newerSecretCreatedAt: row["newer_secret_created_at"].date,
                        decidedAt: row["matched_at"].date ?? row["updated_at"].date!)
        }
        // Graph's date of the secret in use wins over the configured one.
        let identified = inUse?.state == .matched || inUse?.state == .ambiguous
        let effective = identified ? (inUse?.expiresAt ?? configured) : configured
        var credential = Credential(name: row["name"].string!, displayName: row["display_name"].string,
                                   tenantId: row["tenant_id"].string!, clientId: row["client_id"].string!,
                                   mailbox: row["mailbox"].string, expiresAt: effective,
                                   hasSecret: row["has_secret"].int == 1,
                                   source: row["source"].string.flatMap(CredentialSource.init(rawValue:)) ?? .config,
                                   type: row["type"].string.flatMap(CredentialType.init(rawValue:)) ?? .secret,
                                   keyId: row["key_id"].string, discoveryTenant: row["discovery_tenant"].string,
                                   appName: row["app_name"].string, startsAt: row["started_at"].date,
                                   thumbprint: row["thumbprint"].string)
        credential.rotationPendingSince = inUse?.rotationInProgress == true ? inUse?.newerSecretCreatedAt : nil
        return CredentialRecord(
            id: row["id"].int64!,
            credential: credential,
            watched: row["watched"].int == 1,
            createdAt: row["created_at"].date!,
            updatedAt: row["updated_at"].date!,
            configuredExpiresAt: configured,
            secretInUse: inUse,
            inUseBy: row["in_use_by"].string,
            removedReason: row["removed_reason"].string)
    }
}
