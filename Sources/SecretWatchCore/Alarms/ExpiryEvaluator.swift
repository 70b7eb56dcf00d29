import FoundationEssentials

/// Decides, for every watched credential, which expiry alarms should be active, and makes it so:
/// raises `client_secret_expiring` at the first threshold crossed and escalates it at each further one,
/// raises `client_secret_expired` once the expiry passes, and clears both when the expiry date moves later
/// (the secret was rotated) or the credential is no longer configured. An earlier date corrects the
/// configuration of the same secret: the alarms stay, about the new date (and escalate if it is closer).
/// Idempotent: evaluating twice, or after a restart, changes nothing.
public struct ExpiryEvaluator: Sendable {
    public var engine: AlarmEngine
    public var policy: AlarmPolicy

    public init(engine: AlarmEngine, policy: AlarmPolicy) {
        self.engine = engine
        self.policy = policy
    }

    /// What one pass changed.
    public struct Summary: Sendable, Equatable {
        public var evaluated = 0
        public var raised = 0
        public var escalated = 0
        public var cleared = 0
        /// Alarms moved to an earlier (corrected) expiry date.
        public var corrected = 0
    }

    @discardableResult
    public func evaluate(now: Date) throws -> Summary {
        try engine.store.transaction { tx in
            var summary = Summary()
            var active: [Int64: [AlarmKind: Alarm]] = [:]
            for alarm in try tx.activeAlarms(kinds: [.clientSecretExpiring, .clientSecretExpired, .clientCertificateExpiring, .clientCertificateExpired]) {
                active[alarm.credentialId, default: [:]][alarm.kind] = alarm
            }
            // Row by row: with 100,000 credentials the list would be tens of MB for the length of a pass.
            try tx.forEachCredential { record in
                let alarms = active[record.id] ?? [:]
                guard record.watched, record.inUseBy == nil else {
                    let detail = record.inUseBy.map { "\(record.name) is the secret \($0) uses: its expiry alarms are \($0)'s" }
                        ?? "credential \(record.name) is \(record.removedReason ?? "no longer in the configuration")"
                    for alarm in alarms.values.sorted(by: { $0.id < $1.id }) {
                        try engine.clear(alarm, credential: record, detail: detail, at: now, tx: tx)
                        summary.cleared += 1
                    }
                    return
                }
                summary.evaluated += 1
                try evaluate(record, alarms, now: now, tx: tx, summary: &summary)
            }
            return summary
        }
    }

    private func evaluate(_ record: CredentialRecord, _ alarms: [AlarmKind: Alarm], now: Date, tx: StoreTransaction,
                          summary: inout Summary) throws {
        let kinds = AlarmKind.expiry(of: record.credential.type)
        // Alarms of the other type's kinds are left from a credential that changed type: over.
        for (kind, alarm) in alarms where kind != kinds.expiring && kind != kinds.expired {
            try engine.clear(alarm, credential: record, detail: "\(record.name) is now a \(record.credential.type.rawValue)", at: now, tx: tx)
            summary.cleared += 1
        }
        var expiring = alarms[kinds.expiring]
        var expired = alarms[kinds.expired]
        let expiresAt = record.credential.expiresAt
        let what = record.credential.type == .certificate ? "certificate" : "client secret"

        // Rotation: an alarm about an earlier expiry date is over. A date moved earlier is a correction.
        for alarm in [expiring, expired].compactMap({ $0 }) where alarm.expiresAt != expiresAt {
            let from = alarm.expiresAt.map(Timestamps.rfc3339) ?? "none", to = expiresAt.map(Timestamps.rfc3339) ?? "none"
            if let old = alarm.expiresAt, let new = expiresAt, new < old {
                let text = alarm.kind == kinds.expiring
                    ? "\(what) of \(record.credential.label) expires on \(Timestamps.day(new)) (\(Self.days(policy.assess(expiresAt: new, now: now).daysLeft)) left)"
                    : alarm.summary
                let updated = try engine.correctExpiry(alarm, credential: record, expiresAt: new, summary: text,
                                                       detail: "expiry date corrected from \(from) to \(to): an earlier date is a correction of the same secret, not a rotation",
                                                       at: now, tx: tx)
                if alarm.kind == kinds.expiring { expiring = updated } else { expired = updated }
                summary.corrected += 1
                continue
            }
            let detail: String
            if expiresAt == nil {
                detail = "no expiry date is configured any more (was \(from))"
            } else if let entra = record.secretInUse?.expiresAt, entra == expiresAt, record.configuredExpiresAt != expiresAt {
                detail = "Entra says the secret in use expires on \(to) (the configuration says \(record.configuredExpiresAt.map(Timestamps.rfc3339) ?? "none")); the alarm about \(from) is over"
            } else {
                detail = "expiry date changed from \(from) to \(to) (\(record.credential.type == .certificate ? "certificate" : "secret") rotated)"
            }
            try engine.clear(alarm, credential: record, detail: detail, at: now, tx: tx)
            summary.cleared += 1
            if alarm.kind == kinds.expiring { expiring = nil } else { expired = nil }
        }
        guard let expiresAt else { return }
        let assessment = policy.assess(expiresAt: expiresAt, now: now)
        let label = record.credential.label
        let day = Timestamps.day(expiresAt)

        if assessment.expired {
            if expired == nil {
                let consequence = record.credential.type == .certificate
                    ? "every token request signed with it now fails" : "every token request with it now fails (AADSTS7000222)"
                try engine.raise(kinds.expired, for: record, severity: .critical, expiresAt: expiresAt,
                                 summary: "\(what) of \(label) expired on \(day)",
                                 detail: "the \(what) expired at \(Timestamps.rfc3339(expiresAt)); \(consequence)",
                                 at: now, tx: tx)
                summary.raised += 1
            }
            return
        }
        guard let threshold = assessment.threshold, let severity = assessment.severity else {
            if let expiring {
                try engine.clear(expiring, credential: record,
                                 detail: "\(assessment.daysLeft) days left is beyond every threshold (\(policy.thresholdsDays.map(String.init).joined(separator: ", ")) days)",
                                 at: now, tx: tx)
                summary.cleared += 1
            }
            return
        }
        let summaryText = "\(what) of \(label) expires on \(day) (\(Self.days(assessment.daysLeft)) left)"
        if let current = expiring {
            if let currentThreshold = current.thresholdDays, threshold < currentThreshold {
                let detail = "\(Self.days(assessment.daysLeft)) left: threshold \(threshold) days crossed (was \(currentThreshold)); severity \(current.severity.rawValue) → \(severity.rawValue)"
                try engine.update(current, credential: record, type: .escalated, severity: max(severity, current.severity),
                                  thresholdDays: threshold, reason: current.reason, summary: summaryText, detail: detail,
                                  at: now, tx: tx)
                summary.escalated += 1
            }
        } else {
            try engine.raise(kinds.expiring, for: record, severity: severity, thresholdDays: threshold,
                             expiresAt: expiresAt, summary: summaryText,
                             detail: "\(Self.days(assessment.daysLeft)) left (threshold \(threshold) days); expires at \(Timestamps.rfc3339(expiresAt))"
                                + Self.rotationNote(record.credential),
                             at: now, tx: tx)
            summary.raised += 1
        }
    }

    static func days(_ n: Int) -> String { n == 1 ? "1 day" : "\(n) days" }

    /// `; a new secret created on 2026-11-20 is not deployed yet` while a rotation is in progress.
    static func rotationNote(_ credential: Credential) -> String {
        credential.rotationPendingSince.map { "; a new secret created on \(Timestamps.day($0)) is not deployed yet" } ?? ""
    }
}

/// When expiry alarms are raised and how loud they are.
public struct AlarmPolicy: Sendable, Equatable {
    /// Days-left thresholds, largest first (default 30, 14, 7, 1).
    public var thresholdsDays: [Int]
    /// Thresholds at or below this many days raise a critical alarm (default: the second-smallest threshold,
    /// so the last two thresholds are critical).
    public var criticalDays: Int
    /// How often an unacknowledged active alarm is e-mailed again.
    public var renotifyInterval: TimeInterval
    /// Consecutive token failures before `token_acquisition_failing` is raised.
    public var tokenFailuresBeforeAlarm: Int


    public init(thresholdsDays: [Int] = ConfigDefaults.thresholdsDays, criticalDays: Int? = nil,
                renotifyInterval: TimeInterval = ConfigDefaults.renotifyInterval,
                tokenFailuresBeforeAlarm: Int = ConfigDefaults.tokenFailuresBeforeAlarm) {
        let sorted = Array(Set(thresholdsDays)).sorted(by: >)
        self.thresholdsDays = sorted
        self.criticalDays = criticalDays ?? AlarmPolicy.defaultCriticalDays(for: sorted)
        self.renotifyInterval = renotifyInterval
        self.tokenFailuresBeforeAlarm = tokenFailuresBeforeAlarm
    }

    static func defaultCriticalDays(for sortedDescending: [Int]) -> Int {
        sortedDescending.count >= 2 ? sortedDescending[sortedDescending.count - 2] : (sortedDescending.last ?? 0)
    }

    /// Where a secret stands at `now`.
    public func assess(expiresAt: Date, now: Date) -> ExpiryAssessment {
        let remaining = expiresAt.timeIntervalSince(now)
        let daysLeft = Int((remaining / 86400).rounded(.up))
        if remaining <= 0 {
            return ExpiryAssessment(secondsLeft: remaining, daysLeft: min(daysLeft, 0), expired: true,
                                    threshold: thresholdsDays.last, severity: .critical)
        }
        // The smallest threshold the remaining time is within.
        let crossed = thresholdsDays.last(where: { remaining <= Double($0) * 86400 })
        let severity: Severity? = crossed.map { $0 <= criticalDays ? .critical : .warning }
        return ExpiryAssessment(secondsLeft: remaining, daysLeft: daysLeft, expired: false,
                                threshold: crossed, severity: severity)
    }
}

/// The outcome of `AlarmPolicy.assess`.
public struct ExpiryAssessment: Sendable, Equatable {
    public var secondsLeft: TimeInterval
    /// Whole days left, rounded up (a secret expiring in 9.5 days has 10 days left); 0 or less once expired.
    public var daysLeft: Int
    public var expired: Bool
    /// The threshold crossed (smallest one the remaining time is within), nil when none is.
    public var threshold: Int?
    public var severity: Severity?
}

/// Expiry alarms for every watched credential.
public struct ExpiryStep: SchedulerStep {
    public let name = "expiry"
    public let evaluator: ExpiryEvaluator

    public init(evaluator: ExpiryEvaluator) {
        self.evaluator = evaluator
    }

    public func run(now: Date) async throws {
        try evaluator.evaluate(now: now)
    }
}
