import FoundationEssentials
internal import SecretWatchExposition

/// The discovery families (`secretwatch_discovery_*`), per configured discovery tenant, as the registry follows
/// the `discovery_runs` table: at start-up the last run and the last success of each tenant, then every run
/// stored since (read by id, so a refresh costs the new rows only). The run counters count from start-up, like
/// every other counter. Tenants no longer configured are not exported.
struct DiscoveryHealth: Sendable, Equatable {
    struct Tenant: Sendable, Equatable {
        var lastRun: DiscoveryRun?
        var lastSuccess: DiscoveryRun?
        var runs: [DiscoveryRun.Outcome: Int] = [:]
        var failures: [String: Int] = [:]
    }

    /// The configured discovery tenants (from the watched reader credentials).
    var configured: Set<String> = []
    var tenants: [String: Tenant] = [:]
    /// The id of the newest run taken into account; nil until loaded.
    var lastRunId: Int64?

    var loaded: Bool { lastRunId != nil }

    /// Starts from what the database holds (the newest run and the newest success of each tenant); these are not
    /// counted.
    mutating func load(last: [String: DiscoveryRun], lastSuccess: [String: DiscoveryRun]) {
        for (tenant, run) in last { tenants[tenant, default: Tenant()].lastRun = run }
        for (tenant, run) in lastSuccess { tenants[tenant, default: Tenant()].lastSuccess = run }
        lastRunId = last.values.compactMap(\.id).max() ?? 0
    }

    /// A run stored since the last refresh, in id order.
    mutating func record(_ run: DiscoveryRun) {
        if let id = run.id {
            guard id > (lastRunId ?? 0) else { return }
            lastRunId = id
        }
        var tenant = tenants[run.tenant] ?? Tenant()
        tenant.lastRun = run
        tenant.runs[run.outcome, default: 0] += 1
        switch run.outcome {
        case .success: tenant.lastSuccess = run
        case .failure: tenant.failures[MetricsState.labelSafe(run.reason), default: 0] += 1
        }
        tenants[run.tenant] = tenant
    }

    /// The families, tenants by name; every configured tenant has both run counters (0 until it runs).
    func render(into w: inout ExpositionWriter) {
        let c = MetricCatalog.self
        let shown = configured.sorted().map { ($0, tenants[$0] ?? Tenant()) }
        w.family(c.discoveryUp)
        for (name, t) in shown { if let run = t.lastRun { w.sample(c.discoveryUp, [name], run.outcome == .success ? 1 : 0) } }
        w.family(c.discoveryLastRun)
        for (name, t) in shown { if let run = t.lastRun { w.sample(c.discoveryLastRun, [name], run.startedAt.timeIntervalSince1970) } }
        w.family(c.discoveryLastSuccess)
        for (name, t) in shown {
            if let run = t.lastSuccess { w.sample(c.discoveryLastSuccess, [name], run.startedAt.timeIntervalSince1970) }
        }
        w.family(c.discoveryLastDuration)
        for (name, t) in shown { if let run = t.lastRun { w.sample(c.discoveryLastDuration, [name], run.duration) } }
        w.family(c.discoveryApplications)
        for (name, t) in shown {
            if let count = t.lastSuccess?.applications { w.sample(c.discoveryApplications, [name], Double(count)) }
        }
        w.family(c.discoveryCredentials)
        for (name, t) in shown {
            if let count = t.lastSuccess?.credentials { w.sample(c.discoveryCredentials, [name], Double(count)) }
        }
        w.family(c.discoveryRuns)
        for (name, t) in shown {
            for outcome in [DiscoveryRun.Outcome.failure, .success] {
                w.sample(c.discoveryRuns, [name, outcome.rawValue], Double(t.runs[outcome] ?? 0))
            }
        }
        w.family(c.discoveryFailures)
        for (name, t) in shown {
            for (reason, count) in t.failures.sorted(by: { $0.key < $1.key }) {
                w.sample(c.discoveryFailures, [name, reason], Double(count))
            }
        }
    }
}
