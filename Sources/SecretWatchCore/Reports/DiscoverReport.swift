import FoundationEssentials

/// What `secretwatch discover` found: per tenant, what Graph listed right now (or the classified failure), the
/// credentials the filters keep, and the verdict on the secret each configured credential of the tenant uses.
/// Never a secret, a hint or a token: only what the daemon would store.
public struct DiscoverReport: Encodable, Sendable {
    public var generatedAt: Date
    public var graphEndpoint: String
    public var tenants: [Tenant]

    enum CodingKeys: String, CodingKey {
        case tenants
        case generatedAt = "generated_at"
        case graphEndpoint = "graph_endpoint"
    }

    /// Tenants whose discovery failed.
    public var failed: [Tenant] { tenants.filter { $0.failure != nil } }

    /// The last line of the text output.
    public var summary: String {
        let failed = failed
        var text = "\(tenants.count - failed.count) of \(tenants.count) tenant\(tenants.count == 1 ? "" : "s") listed"
        if !failed.isEmpty { text += "; failed: " + failed.map { "\($0.tenant) (\($0.failure!.reason))" }.joined(separator: ", ") }
        return VisibleText.escaped(text) + ". Nothing was written: no database, no alarm, no token attempt recorded."
    }

    public func renderText() -> String {
        tenants.map { $0.renderText() + "\n" }.joined() + summary + "\n"
    }
}

extension DiscoverReport {
    /// One credential Graph listed and the tenant's filters keep.
    public struct Credential: Encodable, Sendable {
        public var name: String
        public var appName: String?
        public var appId: String
        public var type: String
        public var keyId: String?
        public var startsAt: Date?
        public var expiresAt: Date?
        public var daysLeft: Int?
        public var expired: Bool

        enum CodingKeys: String, CodingKey {
            case name, type, expired
            case appName = "app_name"
            case appId = "app_id"
            case keyId = "key_id"
            case startsAt = "starts_at"
            case expiresAt = "expires_at"
            case daysLeft = "days_left"
        }

        init(_ c: SecretWatchCore.Credential, policy: AlarmPolicy, now: Date) {
            name = c.name
            appName = c.appName
            appId = c.clientId
            type = c.type.rawValue
            keyId = c.keyId
            startsAt = c.startsAt
            expiresAt = c.expiresAt
            let assessment = c.expiresAt.map { policy.assess(expiresAt: $0, now: now) }
            daysLeft = assessment?.daysLeft
            expired = assessment?.expired ?? false
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(appName, forKey: .appName)
            try c.encode(appId, forKey: .appId)
            try c.encode(type, forKey: .type)
            try c.encode(keyId, forKey: .keyId)
            try c.encode(startsAt, forKey: .startsAt)
            try c.encode(expiresAt, forKey: .expiresAt)
            try c.encode(daysLeft, forKey: .daysLeft)
            try c.encode(expired, forKey: .expired)
        }
    }

    /// The verdict on the secret a configured credential of the tenant uses.
    public struct InUse: Encodable, Sendable {
        public var credential: String
        public var configuredExpiresAt: Date?
        /// Nil when the secret could not be read now (no verdict rather than a wrong one).
        public var secretInUse: SecretInUseView?

        enum CodingKeys: String, CodingKey {
            case credential
            case configuredExpiresAt = "configured_expires_at"
            case secretInUse = "secret_in_use"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(credential, forKey: .credential)
            try c.encode(configuredExpiresAt, forKey: .configuredExpiresAt)
            try c.encode(secretInUse, forKey: .secretInUse)
        }

        var line: String {
            guard let secretInUse else { return "secret in use (\(credential)): no verdict — its secret could not be read now" }
            return "secret in use (\(credential)): \(secretInUse.state) — \(secretInUse.describe(configuredExpiresAt: configuredExpiresAt))"
        }
    }

    /// A classified failure: the reason (a Graph or a token reason), what it means, the fix, the evidence.
    public struct Failure: Encodable, Sendable {
        public var reason: String
        public var message: String
        public var fix: String
        public var detail: String?
        public var retryAfterSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case reason, message, fix, detail
            case retryAfterSeconds = "retry_after_seconds"
        }

        init(_ f: TenantDiscoveryOutcome.Failure) {
            reason = f.reason
            message = Redactor.scrub(f.message)
            fix = Redactor.scrub(f.fix)
            detail = f.detail.map(Redactor.scrub)
            retryAfterSeconds = f.retryAfter
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reason, forKey: .reason)
            try c.encode(message, forKey: .message)
            try c.encode(fix, forKey: .fix)
            try c.encode(detail, forKey: .detail)
            try c.encode(retryAfterSeconds, forKey: .retryAfterSeconds)
        }
    }
}
