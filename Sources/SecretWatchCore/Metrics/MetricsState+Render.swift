import Foundation
internal import SecretWatchExposition

extension MetricsState {
    /// The families rendered on every state change: everything but the credential families (which
    /// `CredentialFamilies` renders when the credentials change), HELP and TYPE each, samples sorted by label
    /// values so that equal states render to equal bytes.
    func render(into w: inout ExpositionWriter) {
        let c = MetricCatalog.self

        w.family(c.buildInfo)
        w.sample(c.buildInfo, [version], 1)

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
