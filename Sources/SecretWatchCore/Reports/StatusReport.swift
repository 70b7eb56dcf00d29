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
