import FoundationEssentials

/// Stores one tenant's discovery and brings the alarms it decides up to date, in one transaction:
/// - success: the discovered credentials are synchronised (new, changed, "removed in Entra"); each configured
///   credential of the tenant with a secret gets its `SecretInUse`, which raises or clears `expiry_mismatch`
///   (the configured `secret_expires` is not Entra's date of the secret in use) and `secret_not_in_entra`
///   (no secret of the app has the hint of the secret in use); `discovery_failing` clears.
/// - failure: the last known credentials stay as they are; after `failuresBeforeAlarm` consecutive failures
///   `discovery_failing` (major) is raised on the tenant's reader credential, and escalated when the reason changes.
/// Expiry alarms themselves stay `ExpiryEvaluator`'s: it runs after discovery in the same pass.
public struct DiscoveryEvaluator: Sendable {
    public var engine: AlarmEngine
    public var failuresBeforeAlarm: Int

    public init(engine: AlarmEngine, failuresBeforeAlarm: Int = ConfigDefaults.discoveryFailuresBeforeAlarm) {
        self.engine = engine
        self.failuresBeforeAlarm = failuresBeforeAlarm
    }

    /// What one outcome changed.
    public struct Summary: Sendable, Equatable {
        public var sync = DiscoverySync()
        public var raised: [AlarmKind] = []
        public var cleared: [AlarmKind] = []
    }

    @discardableResult
    public func apply(_ outcome: TenantDiscoveryOutcome, now: Date) throws -> Summary {
        try engine.store.transaction { tx in
            var summary = Summary()
            try tx.insertDiscoveryRun(outcome.run)
            let reader = try tx.credential(named: DiscoveryTenantConfig.readerName(outcome.tenant))
            switch outcome.result {
            case .success(let found):
                engine.store.noteCredentialsWritten()
                summary.sync = try tx.syncDiscovered(tenant: outcome.tenant, found.credentials, excluded: found.excluded, now: now)
                var users: [String: String] = [:]
                for (name, inUse) in found.inUse.sorted(by: { $0.key < $1.key }) {
                    guard let record = try tx.credential(named: name), record.watched else { continue }
                    try tx.setSecretInUse(credentialId: record.id, inUse)
                    if let keyId = inUse.keyId, inUse.state == .matched { users[keyId] = name }
                    try drift(record, inUse, at: now, tx: tx, summary: &summary)
                }
                try tx.setInUseBy(tenant: outcome.tenant, users)
                if let reader, let failing = try active(.discoveryFailing, reader, tx) {
                    try engine.clear(failing, credential: reader,
                                     detail: "discovery of \(outcome.tenant) succeeded at \(Timestamps.rfc3339(outcome.startedAt)): \(found.applications) applications, \(found.credentials.count) credentials",
                                     at: now, tx: tx)
                    summary.cleared.append(.discoveryFailing)
                }
            case .failure(let failure):
                guard let reader else { return summary }
                let recent = try tx.discoveryRuns(tenant: outcome.tenant, limit: failuresBeforeAlarm)
                let streak = recent.prefix { $0.outcome == .failure }.count
                guard streak >= failuresBeforeAlarm else { return summary }
                let text = "discovery of \(outcome.tenant) through Microsoft Graph fails: \(failure.reason)"
                let detail = "\(streak) consecutive failures; last at \(Timestamps.rfc3339(outcome.startedAt)): \(failure.message)"
                    + (failure.detail.map { " — \($0)" } ?? "") + "; the last known credentials are still watched"
                if let failing = try active(.discoveryFailing, reader, tx) {
                    guard failing.reason != failure.reason else { return summary }
                    try engine.update(failing, credential: reader, type: .escalated, severity: .major, thresholdDays: nil,
                                      reason: failure.reason, summary: text,
                                      detail: "reason changed from \(failing.reason ?? "unknown") to \(failure.reason): \(failure.message)",
                                      at: now, tx: tx)
                } else {
                    try engine.raise(.discoveryFailing, for: reader, severity: .major, reason: failure.reason, summary: text,
                                     detail: detail, at: now, tx: tx)
                    summary.raised.append(.discoveryFailing)
                }
            }
            return summary
        }
    }

    /// Forgets what discovery decided of credentials no configured tenant covers any more (and of the reader
    /// credentials of tenants gone), clearing the drift alarms; unwatches discovered credentials of tenants gone.
    public func forget(except covered: Set<String>, tenants: Set<String>, now: Date) throws {
        try engine.store.transaction { tx in
            if try tx.unwatchDiscovered(exceptTenants: tenants, now: now) > 0 { engine.store.noteCredentialsWritten() }
            for record in try tx.credentialsWithSecretInUse() where !covered.contains(record.name) {
                try tx.setSecretInUse(credentialId: record.id, nil)
                engine.store.noteCredentialsWritten()
                for alarm in try tx.activeAlarms(kinds: [.expiryMismatch, .secretNotInEntra]) where alarm.credentialId == record.id {
                    try engine.clear(alarm, credential: record, detail: "\(record.name) is no longer compared with Entra (no discovery tenant covers it)",
                                     at: now, tx: tx)
                }
            }
        }
    }

    private func drift(_ record: CredentialRecord, _ inUse: SecretInUse, at now: Date, tx: StoreTransaction,
                       summary: inout Summary) throws {
        let label = record.credential.label
        let certificate = record.credential.type == .certificate
        let what = certificate ? "certificate" : "secret"
        // Secret (or certificate) in use not in Entra.
        let missing = try active(.secretNotInEntra, record, tx)
        switch inUse.state {
        case .notInEntra, .appNotFound:
            if missing == nil {
                let why = inUse.state == .appNotFound
                    ? "the app \(record.credential.clientId) is not among the tenant's applications in Entra"
                    : certificate
                        ? "no certificate of app \(record.credential.clientId) in Entra has the thumbprint \(record.credential.thumbprint ?? "-") of the certificate \(record.name) signs with"
                        : "none of the client secrets of app \(record.credential.clientId) in Entra has the hint of the secret \(record.name) reads"
                try engine.raise(.secretNotInEntra, for: record, severity: .critical, reason: inUse.state.rawValue,
                                 summary: "the \(what) \(label) uses is not in Entra: the next token request will fail",
                                 detail: "\(why) (\(certificate ? "it was never uploaded, was deleted" : "it was deleted"), or belongs to another app); discovered at \(Timestamps.rfc3339(inUse.decidedAt))",
                                 at: now, tx: tx)
                summary.raised.append(.secretNotInEntra)
            }
        case .matched, .ambiguous:
            if let missing {
                try engine.clear(missing, credential: record,
                                 detail: "the \(what) \(record.name) uses is \(inUse.state == .matched ? "\(what) \(inUse.keyId ?? "-") of its app" : "among its app's \(what)s") in Entra",
                                 at: now, tx: tx)
                summary.cleared.append(.secretNotInEntra)
            }
        }
        // The configured date against Entra's.
        let mismatch = try active(.expiryMismatch, record, tx)
        let configured = record.configuredExpiresAt
        // More than a day apart: the portal shows the date in the browser's time zone, so a day is not drift.
        // A certificate's date is its own notAfter, the same as Entra's: only a typed secret_expires can drift.
        if inUse.state == .matched, !certificate, let configured, let entra = inUse.expiresAt,
           abs(configured.timeIntervalSince(entra)) > Self.tolerance {
            let text = "secret_expires of \(label) says \(Timestamps.day(configured)), Entra says the secret in use expires on \(Timestamps.day(entra))"
            let detail = "configured secret_expires \(Timestamps.rfc3339(configured)); Entra's endDateTime of the secret in use (key id \(inUse.keyId ?? "-")) \(Timestamps.rfc3339(entra)); the expiry alarms follow Entra's date"
            if let mismatch {
                guard mismatch.summary != text else { return }
                try engine.update(mismatch, credential: record, type: .updated, severity: .warning, thresholdDays: nil,
                                  reason: mismatch.reason, summary: text, detail: detail, at: now, tx: tx)
            } else {
                try engine.raise(.expiryMismatch, for: record, severity: .warning, expiresAt: entra, summary: text, detail: detail,
                                 at: now, tx: tx)
                summary.raised.append(.expiryMismatch)
            }
        } else if let mismatch {
            let detail = inUse.state == .matched
                ? "secret_expires now agrees with Entra (\(inUse.expiresAt.map(Timestamps.day) ?? "-"))"
                : "the secret in use is no longer identified in Entra (\(inUse.state.rawValue))"
            try engine.clear(mismatch, credential: record, detail: detail, at: now, tx: tx)
            summary.cleared.append(.expiryMismatch)
        }
    }

    /// How far the configured date may lie from Entra's before it is drift.
    static let tolerance: TimeInterval = 86_400

    private func active(_ kind: AlarmKind, _ record: CredentialRecord, _ tx: StoreTransaction) throws -> Alarm? {
        try tx.activeAlarms(kinds: [kind]).first { $0.credentialId == record.id }
    }
}
