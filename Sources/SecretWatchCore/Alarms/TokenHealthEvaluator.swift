import FoundationEssentials

/// Turns the recorded token attempts of a credential into alarm state, idempotently (it reads the attempts back
/// from SQLite, so a restart resumes where it left off):
/// - `token_acquisition_failing` (major) after `tokenFailuresBeforeAlarm` consecutive failures, with the reason
///   and its fix; escalated (history event) when the reason changes; cleared by the next success.
/// - an identity-provider verdict that the secret expired (AADSTS7000222) raises `client_secret_expired` at once,
///   even when the configured date lies ahead, saying that the configured date is wrong. Like every expiry alarm
///   it clears on rotation (a new `secret_expires`), see `ExpiryEvaluator`.
public struct TokenHealthEvaluator: Sendable {
    public var engine: AlarmEngine
    public var policy: AlarmPolicy

    public init(engine: AlarmEngine, policy: AlarmPolicy) {
        self.engine = engine
        self.policy = policy
    }

    /// - Parameter scope: the credential's own scope: attempts for another resource (a Graph token discovery
    ///   asked with the SMTP app) are discovery's business, not this alarm's.
    public func evaluate(credential name: String, scope: String? = nil, now: Date) throws {
        try engine.store.transaction { tx in
            guard let record = try tx.credential(named: name) else { return }
            let recent = try tx.recentTokenAttempts(credentialId: record.id, scope: scope, limit: policy.tokenFailuresBeforeAlarm)
            guard let last = recent.first else { return }
            let active = try tx.activeAlarms(kinds: [.tokenAcquisitionFailing, .clientSecretExpired])
                .filter { $0.credentialId == record.id }
            let failing = active.first { $0.kind == .tokenAcquisitionFailing }

            if last.outcome == .success {
                // The identity provider said the secret expired, and now accepts the configured one: a new secret.
                if let expired = active.first(where: { $0.kind == .clientSecretExpired && $0.reason == TokenFailureReason.clientSecretExpired.rawValue }) {
                    try engine.clear(expired, credential: record,
                                     detail: "a token was obtained with the configured secret at \(Timestamps.rfc3339(last.startedAt)) (secret rotated)",
                                     at: now, tx: tx)
                }
                if let failing {
                    try engine.clear(failing, credential: record,
                                     detail: "token obtained at \(Timestamps.rfc3339(last.startedAt))" + (last.expiresIn.map { " (lifetime \($0) s)" } ?? ""),
                                     at: now, tx: tx)
                }
                return
            }
            if last.reason == TokenFailureReason.clientSecretExpired.rawValue, !active.contains(where: { $0.kind == .clientSecretExpired }) {
                try raiseExpiredByIdP(record, last, at: now, tx: tx)
            }
            let streak = recent.prefix { $0.outcome == .failure }.count
            guard streak >= policy.tokenFailuresBeforeAlarm else { return }
            let summary = "token requests for \(record.credential.label) fail: \(last.reason ?? "unknown")"
            let detail = "\(streak) consecutive failure\(streak == 1 ? "" : "s"); last at \(Timestamps.rfc3339(last.startedAt)): " + Self.describe(last)
            if let failing {
                guard failing.reason != last.reason else { return }
                try engine.update(failing, credential: record, type: .escalated, severity: .major, thresholdDays: nil,
                                  reason: last.reason, summary: summary,
                                  detail: "reason changed from \(failing.reason ?? "unknown") to \(last.reason ?? "unknown"): " + Self.describe(last),
                                  at: now, tx: tx)
            } else {
                try engine.raise(.tokenAcquisitionFailing, for: record, severity: .major, reason: last.reason,
                                 summary: summary, detail: detail, at: now, tx: tx)
            }
        }
    }

    private func raiseExpiredByIdP(_ record: CredentialRecord, _ attempt: TokenAttempt, at now: Date, tx: StoreTransaction) throws {
        let configured = record.credential.expiresAt
        let configuredText = configured.map(Timestamps.day) ?? "not set"
        let wrongDate = configured.map { $0 > now } ?? true
        var detail = "the identity provider answered AADSTS7000222 (client secret expired) at \(Timestamps.rfc3339(attempt.startedAt))"
        if wrongDate {
            detail += "; the configured secret_expires (\(configuredText)) is wrong: the secret has already expired"
        }
        detail += "; create a new secret in Entra → App registrations → Certificates & secrets, put its Value in the secret file and its expiry date in secret_expires"
        if let trace = attempt.traceId { detail += "; trace id \(trace)" }
        if let correlation = attempt.correlationId { detail += ", correlation id \(correlation)" }
        try engine.raise(.clientSecretExpired, for: record, severity: .critical, expiresAt: configured,
                         reason: TokenFailureReason.clientSecretExpired.rawValue,
                         summary: "the identity provider says the client secret of \(record.credential.label) has expired"
                            + (wrongDate ? " (configured expiry \(configuredText) is wrong)" : ""),
                         detail: detail, at: now, tx: tx)
    }

    /// `invalid_client_secret — invalid client secret (AADSTS7000215); fix: … (HTTP 401, AADSTS7000215, trace id …)`
    static func describe(_ a: TokenAttempt) -> String {
        var evidence: [String] = []
        if let status = a.httpStatus { evidence.append("HTTP \(status)") }
        if let code = a.aadstsCode { evidence.append("AADSTS\(code)") }
        if let trace = a.traceId { evidence.append("trace id \(trace)") }
        if let correlation = a.correlationId { evidence.append("correlation id \(correlation)") }
        return "\(a.reason ?? "unknown") — \(a.message ?? "no message")" + (evidence.isEmpty ? "" : " (\(evidence.joined(separator: ", ")))")
    }
}

/// The scheduler step that keeps a valid token for every credential with a secret: asks the cache (which
/// requests a token only when the cached one is due for refresh and no backoff is running, and records every
/// request), then brings the token alarms up to date from the recorded attempts.
public struct TokenHealthStep: SchedulerStep {
    public let name = "token_health"
    private let current: @Sendable () -> TokenCache
    public let evaluator: TokenHealthEvaluator

    /// The cache in force (a reload may replace the daemon's).
    public var cache: TokenCache { current() }

    public init(cache: TokenCache, evaluator: TokenHealthEvaluator) {
        self.current = { cache }
        self.evaluator = evaluator
    }

    /// Probes through whatever cache the holder has in force at each pass.
    public init(holder: TokenCacheHolder, evaluator: TokenHealthEvaluator) {
        self.current = { holder.cache }
        self.evaluator = evaluator
    }

    public func run(now: Date) async throws {
        let cache = current()
        for (credential, scope) in cache.probedCredentials {
            // A failure is already recorded and classified; the alarms below report it.
            _ = try? await cache.token(for: credential)
            try evaluator.evaluate(credential: credential, scope: scope, now: now)
        }
    }
}
