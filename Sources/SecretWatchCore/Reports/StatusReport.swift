import Foundation

/// `secretwatch status`: each credential's expiry, days left and active alarms, computed at `now`.
public struct StatusReport: Encodable, Sendable {
    public struct Entry: Encodable, Sendable {
        public var name: String
        public var displayName: String?
        public var tenantId: String
        public var clientId: String
        public var mailbox: String?
        public var expiresAt: Date?
        public var daysLeft: Int?
        public var expired: Bool
        /// Expired because the identity provider said so (AADSTS7000222), although `secret_expires` lies ahead.
        public var expiredPerIdentityProvider: Bool
        public var activeAlarms: [AlarmView]
        /// The credential's most recent token request (credentials with a secret only).
        public var lastTokenAttempt: TokenAttemptView?

        enum CodingKeys: String, CodingKey {
            case name, mailbox, expired
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

    enum CodingKeys: String, CodingKey {
        case database, credentials
        case generatedAt = "generated_at"
        case lastSchedulerPass = "last_scheduler_pass"
    }

    public init(store: Store, policy: AlarmPolicy = AlarmPolicy(), now: Date) throws {
        generatedAt = now
        database = store.path
        lastSchedulerPass = try store.meta("scheduler.last_pass_at")
        let active = Dictionary(grouping: try store.activeAlarms(), by: \.credentialId)
        let lastAttempts = try store.lastTokenAttempts()
        credentials = try store.credentials().map { record in
            let c = record.credential
            let alarms = active[record.id] ?? []
            let expiry = CredentialExpiry(c, activeAlarms: alarms, policy: policy, now: now)
            return Entry(name: c.name, displayName: c.displayName, tenantId: c.tenantId, clientId: c.clientId,
                         mailbox: c.mailbox, expiresAt: c.expiresAt, daysLeft: expiry.daysLeft, expired: expiry.expired,
                         expiredPerIdentityProvider: expiry.expiredPerIdentityProvider,
                         activeAlarms: alarms.map { AlarmView($0) },
                         lastTokenAttempt: lastAttempts[c.name].map(TokenAttemptView.init))
        }
    }

    public func renderText() -> String {
        var table = TextTable(headers: ["CREDENTIAL", "TENANT", "CLIENT", "EXPIRES (UTC)", "DAYS LEFT", "ACTIVE ALARMS"])
        for e in credentials {
            let alarms = e.activeAlarms.isEmpty ? "-" : e.activeAlarms.map { "#\($0.id) \($0.kind) (\($0.severity)\($0.acknowledged == nil ? "" : ", acked"))" }.joined(separator: ", ")
            table.add([e.name, e.tenantId, e.clientId, e.expiresAt.map(Timestamps.rfc3339) ?? "-",
                       e.expiredPerIdentityProvider ? "expired (per Entra)" : e.expired ? "expired" : e.daysLeft.map(String.init) ?? "-",
                       alarms])
        }
        var out = table.render()
        for e in credentials {
            if let attempt = e.lastTokenAttempt { out += "last token attempt (\(VisibleText.escaped(e.name))): \(VisibleText.escaped(attempt.line))\n" }
        }
        out += "last scheduler pass: \(lastSchedulerPass ?? "never")\n"
        return out
    }
}

/// One credential in `/api/v1/credentials`: identity, expiry and days left, the last token attempt, the
/// last delivery (for the credential mail is sent with) and its active alarms.
struct CredentialStatusView: Encodable, Sendable {
    var name: String
    var displayName: String?
    var tenantId: String
    var clientId: String
    var mailbox: String?
    var hasSecret: Bool
    var expiresAt: Date?
    var daysLeft: Int?
    var expired: Bool
    var expiredPerIdentityProvider: Bool
    var lastTokenAttempt: TokenAttemptView?
    var lastDelivery: DeliveryView?
    var activeAlarms: [AlarmView]

    enum CodingKeys: String, CodingKey {
        case name, mailbox, expired
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
