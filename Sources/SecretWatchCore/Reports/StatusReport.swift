import FoundationEssentials

/// `secretwatch status`: each credential's expiry, days left and active alarms, computed at `now`; where it comes
/// from (the configuration or Graph) and what discovery found of the secret in use; each discovery tenant's last run.
public struct StatusReport: Encodable, Sendable {
    public struct Entry: Encodable, Sendable {
        public var name: String
        public var displayName: String?
        public var tenantId: String
        public var clientId: String
        public var mailbox: String?
        /// `config` or `graph`.
        public var source: String
        /// `secret` or `certificate`.
        public var type: String
        /// Graph's key id (discovered credentials).
        public var keyId: String?
        /// The app's display name in Entra (discovered credentials).
        public var appName: String?
        /// The discovery tenant that listed it (discovered), or that its reader app reads.
        public var discoveryTenant: String?
        /// The effective expiry: Entra's date of the secret in use when discovery found it, else the configured one.
        public var expiresAt: Date?
        /// The date in the configuration (`secret_expires`); for a discovered credential, Graph's.
        public var configuredExpiresAt: Date?
        public var daysLeft: Int?
        public var expired: Bool
        /// Expired because the identity provider said so (AADSTS7000222), although `secret_expires` lies ahead.
        public var expiredPerIdentityProvider: Bool
        public var activeAlarms: [AlarmView]
        /// The credential's most recent token request (credentials with a secret only).
        public var lastTokenAttempt: TokenAttemptView?
        /// What discovery found of the secret a configured credential uses.
        public var secretInUse: SecretInUseView?
        /// A discovered credential that a configured one uses: that credential's name.
        public var inUseBy: String?
        /// False for a credential no longer watched (listed with `includeRemoved` only).
        public var watched: Bool
        /// Why it is no longer watched ("removed in Entra", "no longer in the configuration").
        public var removedReason: String?

        enum CodingKeys: String, CodingKey {
            case name, mailbox, expired, source, type, watched
            case keyId = "key_id"
            case appName = "app_name"
            case discoveryTenant = "discovery_tenant"
            case configuredExpiresAt = "configured_expires_at"
            case secretInUse = "secret_in_use"
            case inUseBy = "in_use_by"
            case removedReason = "removed_reason"
            case displayName = "display_name"
            case tenantId = "tenant_id"
            case clientId = "client_id"
            case expiresAt = "expires_at"
            case daysLeft = "days_left"
            case expiredPerIdentityProvider = "expired_per_identity_provider"
            case activeAlarms = "active_alarms"
            case lastTokenAttempt = "last_token_attempt"
        }
    }

    public var generatedAt: Date
    public var database: String
    public var lastSchedulerPass: String?
    public var credentials: [Entry]
    /// Each discovery tenant's last run and last success (empty without discovery).
    public var discovery: [DiscoveryTenantStatus]

    enum CodingKeys: String, CodingKey {
        case database, credentials, discovery
        case generatedAt = "generated_at"
        case lastSchedulerPass = "last_scheduler_pass"
    }

    /// - Parameter includeRemoved: also list credentials no longer watched (removed in Entra or from the configuration).
    public init(store: Store, policy: AlarmPolicy = AlarmPolicy(), now: Date, includeRemoved: Bool = false) throws {
        generatedAt = now
        database = store.path
        lastSchedulerPass = try store.meta("scheduler.last_pass_at")
        let active = Dictionary(grouping: try store.activeAlarms(), by: \.credentialId)
        let lastAttempts = try store.lastTokenAttempts()
        credentials = try store.credentials(includeUnwatched: includeRemoved).map { record in
            let c = record.credential
            let alarms = active[record.id] ?? []
            let expiry = CredentialExpiry(c, activeAlarms: alarms, policy: policy, now: now)
            return Entry(name: c.name, displayName: c.displayName, tenantId: c.tenantId, clientId: c.clientId,
                         mailbox: c.mailbox, source: c.source.rawValue, type: c.type.rawValue, keyId: c.keyId,
                         appName: c.appName, discoveryTenant: c.discoveryTenant, expiresAt: c.expiresAt,
                         configuredExpiresAt: record.configuredExpiresAt, daysLeft: expiry.daysLeft, expired: expiry.expired,
                         expiredPerIdentityProvider: expiry.expiredPerIdentityProvider,
                         activeAlarms: alarms.map { AlarmView($0) },
                         lastTokenAttempt: lastAttempts[c.name].map(TokenAttemptView.init),
                         secretInUse: record.secretInUse.map(SecretInUseView.init), inUseBy: record.inUseBy,
                         watched: record.watched, removedReason: record.removedReason)
        }
        discovery = try DiscoveryTenantStatus.all(store: store)
    }

    public func renderText() -> String {
        var table = TextTable(headers: ["CREDENTIAL", "SOURCE", "TYPE", "TENANT", "CLIENT", "EXPIRES (UTC)", "DAYS LEFT", "ACTIVE ALARMS"])
        for e in credentials {
            let alarms = e.activeAlarms.isEmpty ? "-" : e.activeAlarms.map { "#\($0.id) \($0.kind) (\($0.severity)\($0.acknowledged == nil ? "" : ", acked"))" }.joined(separator: ", ")
            let source = e.source == CredentialSource.graph.rawValue ? "graph (\(e.discoveryTenant ?? "-"))" : e.source
            let days = !e.watched ? "removed" : e.expiredPerIdentityProvider ? "expired (per Entra)" : e.expired ? "expired" : e.daysLeft.map(String.init) ?? "-"
            table.add([e.name, source, e.type, e.tenantId, e.clientId, e.expiresAt.map(Timestamps.rfc3339) ?? "-", days, alarms])
        }
        var out = table.render()
        for e in credentials {
            let name = VisibleText.escaped(e.name)
            if let attempt = e.lastTokenAttempt { out += "last token attempt (\(name)): \(VisibleText.escaped(attempt.line))\n" }
            if let inUse = e.secretInUse {
                out += "secret in use (\(name)): \(inUse.state) — \(VisibleText.escaped(inUse.describe(configuredExpiresAt: e.configuredExpiresAt)))\n"
            }
            if let user = e.inUseBy { out += "in use by (\(name)): \(VisibleText.escaped(user)) uses this secret; its expiry alarms are \(VisibleText.escaped(user))'s\n" }
            if let reason = e.removedReason, !e.watched { out += "removed (\(name)): \(VisibleText.escaped(reason))\n" }
        }
        if !discovery.isEmpty {
            out += "discovery:\n"
            for t in discovery {
                out += "  \(VisibleText.escaped(t.tenant)): last run \(VisibleText.escaped(t.lastRun.line)); last success \(t.lastSuccessAt.map(Timestamps.rfc3339) ?? "never")\n"
            }
        }
        out += "last scheduler pass: \(lastSchedulerPass ?? "never")\n"
        return out
    }
}

/// One credential in `/api/v1/credentials`: identity, expiry and days left, the last token attempt, the
/// last delivery (for the credential mail is sent with) and its active alarms; where it comes from and what
/// discovery found of the secret in use.
struct CredentialStatusView: Encodable, Sendable {
    var name: String
    var displayName: String?
    var tenantId: String
    var clientId: String
    var mailbox: String?
    var hasSecret: Bool
    var source: String
    var type: String
    var keyId: String?
    /// A certificate credential's SHA-1 thumbprint (hex).
    var thumbprint: String? = nil
    var appName: String?
    var discoveryTenant: String?
    var expiresAt: Date?
    var configuredExpiresAt: Date?
    var daysLeft: Int?
    var expired: Bool
    var expiredPerIdentityProvider: Bool
    var lastTokenAttempt: TokenAttemptView?
    var lastDelivery: DeliveryView?
    var activeAlarms: [AlarmView]
    var secretInUse: SecretInUseView?
    var inUseBy: String?
    var watched: Bool
    var removedReason: String?

    enum CodingKeys: String, CodingKey {
        case name, mailbox, expired, source, type, watched, thumbprint
        case keyId = "key_id"
        case appName = "app_name"
        case discoveryTenant = "discovery_tenant"
        case configuredExpiresAt = "configured_expires_at"
        case secretInUse = "secret_in_use"
        case inUseBy = "in_use_by"
        case removedReason = "removed_reason"
        case expiredPerIdentityProvider = "expired_per_identity_provider"
        case displayName = "display_name"
        case tenantId = "tenant_id"
        case clientId = "client_id"
        case hasSecret = "has_secret"
        case expiresAt = "expires_at"
        case daysLeft = "days_left"
        case lastTokenAttempt = "last_token_attempt"
        case lastDelivery = "last_delivery"
        case activeAlarms = "active_alarms"
    }

    /// Encodes absent values as null so that every credential has the same fields.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(tenantId, forKey: .tenantId)
        try c.encode(clientId, forKey: .clientId)
        try c.encode(mailbox, forKey: .mailbox)
        try c.encode(hasSecret, forKey: .hasSecret)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(daysLeft, forKey: .daysLeft)
        try c.encode(expired, forKey: .expired)
        try c.encode(expiredPerIdentityProvider, forKey: .expiredPerIdentityProvider)
        try c.encode(lastTokenAttempt, forKey: .lastTokenAttempt)
        try c.encode(lastDelivery, forKey: .lastDelivery)
        try c.encode(activeAlarms, forKey: .activeAlarms)
        try c.encode(source, forKey: .source)
        try c.encode(type, forKey: .type)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(thumbprint, forKey: .thumbprint)
        try c.encode(appName, forKey: .appName)
        try c.encode(discoveryTenant, forKey: .discoveryTenant)
        try c.encode(configuredExpiresAt, forKey: .configuredExpiresAt)
        try c.encode(secretInUse, forKey: .secretInUse)
        try c.encode(inUseBy, forKey: .inUseBy)
        try c.encode(watched, forKey: .watched)
        try c.encode(removedReason, forKey: .removedReason)
    }
}

/// Left-aligned columns for terminal listings. Cells show control characters as escapes.
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]] = []

    public init(headers: [String]) {
        self.headers = headers
    }

    public mutating func add(_ row: [String]) {
        precondition(row.count == headers.count, "row has \(row.count) cells, table has \(headers.count) columns")
        rows.append(row.map(VisibleText.escaped))
    }

    public func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
