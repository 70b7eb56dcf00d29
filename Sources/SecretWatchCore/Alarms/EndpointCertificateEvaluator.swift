import FoundationEssentials

/// Keeps `endpoint_certificate_expiring` in step with the certificates secretwatch depends on
/// (`EndpointCertificates`: the chains the endpoints presented, the `ca_file`s). One alarm, filed under the SMTP
/// credential (alarms are per credential; these certificates are the whole mail path's), about the
/// soonest-expiring certificate(s): raised when it is within the largest of `alarms.thresholds_days` or expired,
/// escalated at each smaller threshold, moved to an earlier date when another certificate ends sooner, and cleared
/// when the certificate was replaced and nothing else is within a threshold. Not a system alarm: like a secret's
/// expiry it needs somebody to act before the day, and it is e-mailed whatever `include_system_alarms` says.
///
/// The chains are only in memory. After a restart an alarm is never cleared before every expected endpoint has
/// been seen again (`EndpointCertificates.isComplete`): not knowing a chain yet is no news that it was replaced.
public struct EndpointCertificateEvaluator: Sendable {
    public let engine: AlarmEngine
    public let policy: AlarmPolicy
    /// The credential the alarm is filed under (the SMTP one).
    public let credentialName: String
    public let certificates: EndpointCertificates

    public init(engine: AlarmEngine, policy: AlarmPolicy, credentialName: String, certificates: EndpointCertificates) {
        self.engine = engine
        self.policy = policy
        self.credentialName = credentialName
        self.certificates = certificates
    }

    /// What a pass did.
    public enum Change: String, Sendable, Equatable { case none, raised, escalated, corrected, cleared }

    @discardableResult
    public func evaluate(now: Date) throws -> Change {
        let known = certificates.all
        let complete = certificates.isComplete
        return try engine.store.transaction { tx -> Change in
            guard let credential = try tx.credential(named: credentialName) else { return .none }
            let active = try tx.activeAlarms(kinds: [.endpointCertificateExpiring]).first { $0.credentialId == credential.id }
            // Nothing known (just started, no connection yet): no news either way.
            guard let soonest = known.map(\.notAfter).min() else { return .none }
            let assessment = policy.assess(expiresAt: soonest, now: now)
            let text = Self.summary(known.filter { $0.notAfter == soonest }, assessment: assessment)

            guard let threshold = assessment.threshold, let severity = assessment.severity else {
                guard let active, complete else { return .none }
                try engine.clear(active, credential: credential,
                                 detail: "the certificate was replaced: the soonest-expiring one now ends on \(Timestamps.day(soonest)) (\(ExpiryEvaluator.days(assessment.daysLeft)) left), beyond every threshold (\(policy.thresholdsDays.map(String.init).joined(separator: ", ")) days)",
                                 at: now, tx: tx)
                return .cleared
            }
            guard var current = active else {
                try engine.raise(.endpointCertificateExpiring, for: credential, severity: severity, thresholdDays: threshold,
                                 expiresAt: soonest, summary: text,
                                 detail: "\(text); threshold \(threshold) days. Once it has expired every TLS connection through it fails (tls_certificate_expired)",
                                 at: now, tx: tx)
                return .raised
            }
            var change = Change.none
            if let alarmed = current.expiresAt, alarmed != soonest {
                if soonest < alarmed {
                    current = try engine.correctExpiry(current, credential: credential, expiresAt: soonest, summary: text,
                                                       detail: "a certificate ending sooner was seen: \(text)", at: now, tx: tx)
                    change = .corrected
                } else if complete {
                    // The certificate alarmed about was replaced, and another one is within a threshold too.
                    try engine.clear(current, credential: credential,
                                     detail: "the certificate ending on \(Timestamps.day(alarmed)) was replaced", at: now, tx: tx)
                    try engine.raise(.endpointCertificateExpiring, for: credential, severity: severity, thresholdDays: threshold,
                                     expiresAt: soonest, summary: text, detail: "\(text); threshold \(threshold) days", at: now, tx: tx)
                    return .raised
                } else {
                    return .none
                }
            }
            if let crossed = current.thresholdDays, threshold < crossed {
                try engine.update(current, credential: credential, type: .escalated, severity: max(severity, current.severity),
                                  thresholdDays: threshold, reason: nil, summary: text,
                                  detail: "\(text): threshold \(threshold) days crossed (was \(crossed)); severity \(current.severity.rawValue) → \(max(severity, current.severity).rawValue)",
                                  at: now, tx: tx)
                return .escalated
            }
            return change
        }
    }

    /// "certificate CN=… (leaf of host:443) expires on 2026-12-01 (5 days left)", and how many more end then too.
    static func summary(_ soonest: [EndpointCertificate], assessment: ExpiryAssessment) -> String {
        guard let first = soonest.first else { return "" }
        let when = assessment.expired
            ? "expired on \(Timestamps.day(first.notAfter))"
            : "expires on \(Timestamps.day(first.notAfter)) (\(ExpiryEvaluator.days(assessment.daysLeft)) left)"
        let more = soonest.count > 1 ? " (and \(soonest.count - 1) more certificate(s) ending then: " +
            soonest.dropFirst().map { "\($0.position) of \($0.endpoint)" }.joined(separator: ", ") + ")" : ""
        return "certificate \(first.subject) (\(first.position) of \(first.endpoint)) \(when)\(more)"
    }
}

/// `endpoint_certificate_expiring` at every pass, after the token-health step (whose token requests record the
/// token endpoint's chain).
public struct EndpointCertificateStep: SchedulerStep {
    public let name = "endpoint_certificates"
    public let evaluator: EndpointCertificateEvaluator

    public init(evaluator: EndpointCertificateEvaluator) {
        self.evaluator = evaluator
    }

    public func run(now: Date) async throws {
        try evaluator.evaluate(now: now)
    }
}
