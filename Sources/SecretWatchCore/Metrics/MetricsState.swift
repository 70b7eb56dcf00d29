import Foundation
internal import SecretWatchExposition

/// Everything the state part of `/metrics` shows, kept in memory and updated by telemetry events and store
/// refreshes. Rendering it (`render`, below) is a pure function of this value, so the same state
/// always gives the same bytes.
struct MetricsState: Sendable {
    struct TokenKey: Hashable, Comparable, Sendable {
        var credential: String
        var outcome: String
        var reason: String
        static func < (a: Self, b: Self) -> Bool { (a.credential, a.outcome, a.reason) < (b.credential, b.outcome, b.reason) }
    }

    struct SendKey: Hashable, Comparable, Sendable {
        var outcome: String
        var reason: String
        static func < (a: Self, b: Self) -> Bool { (a.outcome, a.reason) < (b.outcome, b.reason) }
    }

    struct RelayKey: Hashable, Comparable, Sendable {
        var receiver: String
        var status: String
        var outcome: String
        static func < (a: Self, b: Self) -> Bool { (a.receiver, a.status, a.outcome) < (b.receiver, b.status, b.outcome) }
    }

    var version: String = BuildInfo.version
    /// The last reload's result (true until one is rejected) and when a configuration was last loaded.
    var lastReloadSuccessful = true
    var lastSuccessfulLoad: Date?
    /// The watched credentials' families, rendered when they last changed (nil: none yet).
    var credentialFamilies: CredentialFamilies?
    var activeAlarms: [Alarm] = []
    var alarmsRaised: [AlarmKind: Int] = [:]
    var tokenRequests: [TokenKey: Int] = [:]
    var tokenDuration: [String: Histogram] = [:]
    var tokenCachedExpiry: [String: Date] = [:]
    var tokenLastSuccess: [String: Date] = [:]
    var mailSends: [SendKey: Int] = [:]
    var mailDuration: [String: Histogram] = [:]
    var outbox: OutboxState = .empty
    var relayNotifications: [RelayKey: Int] = [:]
    var discovery = DiscoveryHealth()
    /// Every certificate of the endpoints' chains and the `ca_file`s (`EndpointCertificates`).
    var endpointCertificates: [EndpointCertificate] = []

    /// The label value for "no reason" (successes): an empty label would read as an absent one.
    static let noReason = "none"

    mutating func record(_ attempt: TokenAttempt) {
        let outcome = attempt.outcome.rawValue
        let reason = attempt.outcome == .success ? Self.noReason : Self.labelSafe(attempt.reason)
        tokenRequests[TokenKey(credential: attempt.credential, outcome: outcome, reason: reason), default: 0] += 1
        tokenDuration[outcome, default: Histogram(upperBounds: MetricCatalog.tokenDurationBuckets)].observe(attempt.duration)
        if attempt.outcome == .success {
            let obtained = attempt.startedAt.addingTimeInterval(max(0, attempt.duration))
            tokenLastSuccess[attempt.credential] = obtained
            if let lifetime = attempt.expiresIn {
                tokenCachedExpiry[attempt.credential] = obtained.addingTimeInterval(TimeInterval(lifetime))
            }
        }
    }

    mutating func record(_ delivery: Delivery) {
        let outcome = delivery.outcome.rawValue
        let reason = delivery.outcome == .sent ? Self.noReason : Self.labelSafe(delivery.reason)
        mailSends[SendKey(outcome: outcome, reason: reason), default: 0] += 1
        mailDuration[outcome, default: Histogram(upperBounds: MetricCatalog.mailDurationBuckets)].observe(delivery.duration)
    }

    /// Reasons are stable snake_case words; anything else (a component bug) is folded into `other` so that no
    /// free text ever becomes a label value.
    static func labelSafe(_ reason: String?) -> String {
        guard let reason, !reason.isEmpty, reason.count <= 64,
              reason.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            return reason == nil || reason == "" ? "unknown" : "other"
        }
        return reason
    }
}

extension MetricsState {
    /// The families rendered on every state change: everything but the credential families (which
    /// `CredentialFamilies` renders when the credentials change), HELP and TYPE each, samples sorted by label
    /// values so that equal states render to equal bytes.
    func render(into w: inout ExpositionWriter) {
        let c = MetricCatalog.self

        w.family(c.buildInfo)
        w.sample(c.buildInfo, [version, BuildInfo.revision, BuildInfo.swift], 1)

        w.family(c.configReloadSuccessful)
        w.sample(c.configReloadSuccessful, [], lastReloadSuccessful ? 1 : 0)
        w.family(c.configReloadSuccess)
        if let lastSuccessfulLoad { w.sample(c.configReloadSuccess, [], lastSuccessfulLoad.timeIntervalSince1970) }

        discovery.render(into: &w)

        w.family(c.activeAlarms)
        let alarms = activeAlarms.sorted { ($0.kind.rawValue, $0.severity.rawValue, $0.credentialName, $0.id) <
                                           ($1.kind.rawValue, $1.severity.rawValue, $1.credentialName, $1.id) }
        var seen = Set<[String]>()
        for alarm in alarms {
            // The database allows one active alarm per (kind, credential); guard the series anyway.
            let labels = [alarm.kind.rawValue, alarm.severity.rawValue, alarm.credentialName]
            if seen.insert(labels).inserted { w.sample(c.activeAlarms, labels, 1) }
        }

        w.family(c.alarmsRaised)
        for kind in AlarmKind.allCases {
            w.sample(c.alarmsRaised, [kind.rawValue], Double(alarmsRaised[kind] ?? 0))
        }

        w.family(c.tokenRequests)
        for (key, count) in tokenRequests.sorted(by: { $0.key < $1.key }) {
            w.sample(c.tokenRequests, [key.credential, key.outcome, key.reason], Double(count))
        }

        w.family(c.tokenDuration)
        for (outcome, histogram) in tokenDuration.sorted(by: { $0.key < $1.key }) {
            w.histogram(c.tokenDuration, [outcome], histogram)
        }

        w.family(c.tokenCachedExpiry)
        for (credential, date) in tokenCachedExpiry.sorted(by: { $0.key < $1.key }) {
            w.sample(c.tokenCachedExpiry, [credential], date.timeIntervalSince1970)
        }

        w.family(c.tokenLastSuccess)
        for (credential, date) in tokenLastSuccess.sorted(by: { $0.key < $1.key }) {
            w.sample(c.tokenLastSuccess, [credential], date.timeIntervalSince1970)
        }

        w.family(c.mailSends)
        for (key, count) in mailSends.sorted(by: { $0.key < $1.key }) {
            w.sample(c.mailSends, [key.outcome, key.reason], Double(count))
        }

        w.family(c.mailDuration)
        for (outcome, histogram) in mailDuration.sorted(by: { $0.key < $1.key }) {
            w.histogram(c.mailDuration, [outcome], histogram)
        }

        w.family(c.outboxMessages)
        w.sample(c.outboxMessages, [], Double(outbox.depth))
        w.family(c.outboxOldest)
        if let oldest = outbox.oldestQueuedAt {
            w.sample(c.outboxOldest, [], oldest.timeIntervalSince1970)
        }

        w.family(c.relayNotifications)
        for (key, count) in relayNotifications.sorted(by: { $0.key < $1.key }) {
            w.sample(c.relayNotifications, [key.receiver, key.status, key.outcome], Double(count))
        }

        w.family(c.endpointCertificateExpiry)
        var certificateSeries = Set<[String]>()
        for certificate in endpointCertificates.sorted(by: { ($0.endpoint, $0.position) < ($1.endpoint, $1.position) }) {
            let labels = [certificate.endpoint, certificate.position, certificate.subject]
            if certificateSeries.insert(labels).inserted {
                w.sample(c.endpointCertificateExpiry, labels, certificate.notAfter.timeIntervalSince1970)
            }
        }
        // The scheduler's gauges follow in the live part (`LiveMetrics`), so the page reads the same.
        w.finish()
    }
}

extension Exposition {
    /// Renders the state's small families now and puts them after its credential families.
    convenience init(generation: UInt64, state: MetricsState, plainLimit: Int = DeflateSegment.defaultPlainLimit) throws {
        let credentials = try state.credentialFamilies ?? CredentialFamilies.render([], plainLimit: plainLimit)
        let rest = try DeflateSegment.render(plainLimit: plainLimit) { state.render(into: &$0) }
        self.init(generation: generation, segments: credentials.segments + [rest])
    }
}

/// The scheduler's gauges. They change with every pass, so they live in the small live part of `/metrics`
/// (`LiveMetrics`): a pass then costs no re-render of the state part, which with 100,000 credentials is a
/// 38 MB text and its gzip.
struct SchedulerGauges: Sendable {
    var lastRun: Date?
    var lastDuration: TimeInterval?
    /// Step name → failed in the last pass.
    var steps: [String: Bool] = [:]

    mutating func recordPass(startedAt: Date, duration: TimeInterval, failingSteps: [String]) {
        lastRun = startedAt
        lastDuration = duration
        for step in steps.keys { steps[step] = false }
        for step in failingSteps { steps[MetricsState.labelSafe(step)] = true }
    }

    func render(into w: inout ExpositionWriter) {
        let c = MetricCatalog.self
        w.family(c.schedulerLastRun)
        if let lastRun { w.sample(c.schedulerLastRun, [], lastRun.timeIntervalSince1970) }
        w.family(c.schedulerLastDuration)
        if let lastDuration { w.sample(c.schedulerLastDuration, [], lastDuration) }
        w.family(c.schedulerStepFailing)
        for (step, failing) in steps.sorted(by: { $0.key < $1.key }) {
            w.sample(c.schedulerStepFailing, [step], failing ? 1 : 0)
        }
    }
}
