import FoundationEssentials

/// What discovery found of the secret a configured credential uses, as `status`, `/api/v1/credentials` and
/// `discover` show it. Absent values are encoded as null, so every answer has the same fields.
public struct SecretInUseView: Encodable, Sendable, Equatable {
    public var state: String
    /// The key id of the secret in use (`matched` only).
    public var keyId: String?
    /// Its end date in Entra (`matched` only).
    public var entraExpiresAt: Date?
    public var rotationInProgress: Bool
    /// When the newer secret, not deployed yet, was created.
    public var newerSecretCreatedAt: Date?
    public var decidedAt: Date

    enum CodingKeys: String, CodingKey {
        case state
        case keyId = "key_id"
        case entraExpiresAt = "entra_expires_at"
        case rotationInProgress = "rotation_in_progress"
        case newerSecretCreatedAt = "newer_secret_created_at"
        case decidedAt = "decided_at"
    }

    public init(_ inUse: SecretInUse) {
        state = inUse.state.rawValue
        keyId = inUse.keyId
        entraExpiresAt = inUse.expiresAt
        rotationInProgress = inUse.rotationInProgress
        newerSecretCreatedAt = inUse.rotationInProgress ? inUse.newerSecretCreatedAt : nil
        decidedAt = inUse.decidedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(entraExpiresAt, forKey: .entraExpiresAt)
        try c.encode(rotationInProgress, forKey: .rotationInProgress)
        try c.encode(newerSecretCreatedAt, forKey: .newerSecretCreatedAt)
        try c.encode(decidedAt, forKey: .decidedAt)
    }

    /// The sentence people read: which secret is in use, Entra's date against the configured one, and a rotation
    /// in progress ("a new secret created on DATE is not deployed yet").
    public func describe(configuredExpiresAt configured: Date?) -> String {
        var text: String
        switch SecretInUse.State(rawValue: state) {
        case .matched:
            text = "secret \(keyId ?? "-") of its app; Entra's end date \(entraExpiresAt.map(Timestamps.day) ?? "none")"
            if let configured, let entra = entraExpiresAt {
                text += ", configured secret_expires \(Timestamps.day(configured))"
                if abs(configured.timeIntervalSince(entra)) > DiscoveryEvaluator.tolerance {
                    text += " (more than a day apart: Entra's date drives the expiry alarms)"
                }
            } else if configured == nil {
                text += ", no secret_expires configured"
            }
        case .ambiguous:
            text = "several secrets of its app share the hint of the secret in use: which one it is cannot be told"
        case .notInEntra:
            text = "no secret of its app in Entra has the hint of the secret in use: it was deleted in Entra (or belongs to another app); the next token request will fail"
        case .appNotFound:
            text = "its app is not among the tenant's applications in Entra"
        case nil:
            text = state
        }
        if let created = newerSecretCreatedAt {
            text += "; rotation in progress: a new secret created on \(Timestamps.day(created)) is not deployed yet"
        }
        return text
    }
}

/// One discovery run of one tenant, as `status` shows it.
public struct DiscoveryRunView: Encodable, Sendable, Equatable {
    public var startedAt: Date
    public var durationSeconds: Double
    public var outcome: String
    public var reason: String?
    public var detail: String?
    public var applications: Int?
    public var credentials: Int?
    public var pages: Int?

    enum CodingKeys: String, CodingKey {
        case outcome, reason, detail, applications, credentials, pages
        case startedAt = "started_at"
        case durationSeconds = "duration_seconds"
    }

    public init(_ run: DiscoveryRun) {
        startedAt = run.startedAt
        durationSeconds = run.duration
        outcome = run.outcome.rawValue
        reason = run.reason
        detail = run.detail.map(Redactor.scrub)
        applications = run.applications
        credentials = run.credentials
        pages = run.pages
    }

    /// `2026-11-30T07:00:00Z success (12 applications, 20 credentials)` / `… failure graph_permission_missing: …`
    public var line: String {
        let when = Timestamps.rfc3339(startedAt)
        if outcome == DiscoveryRun.Outcome.success.rawValue {
            return "\(when) success (\(applications ?? 0) applications, \(credentials ?? 0) credentials)"
        }
        return "\(when) failure \(reason ?? "unknown")" + (detail.map { ": \($0)" } ?? "")
    }
}

/// A discovery tenant in `status`: its last run, and when it last succeeded.
public struct DiscoveryTenantStatus: Encodable, Sendable, Equatable {
    public var tenant: String
    public var lastRun: DiscoveryRunView
    public var lastSuccessAt: Date?

    enum CodingKeys: String, CodingKey {
        case tenant
        case lastRun = "last_run"
        case lastSuccessAt = "last_success_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(lastRun, forKey: .lastRun)
        try c.encode(lastSuccessAt, forKey: .lastSuccessAt)
    }

    /// Every tenant with a stored run, by name.
    static func all(store: Store) throws -> [DiscoveryTenantStatus] {
        let successes = try store.lastSuccessfulDiscoveryRuns()
        return try store.lastDiscoveryRuns().sorted { $0.key < $1.key }.map { tenant, run in
            DiscoveryTenantStatus(tenant: tenant, lastRun: DiscoveryRunView(run), lastSuccessAt: successes[tenant]?.startedAt)
        }
    }
}
