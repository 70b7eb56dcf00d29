import FoundationEssentials
import Logging
import Synchronization

/// The scheduler step that discovers, at `discovery.interval`, every configured tenant whose turn it is (up to
/// `ConfigDefaults.discoveryConcurrency` at once), and hands each outcome to `DiscoveryEvaluator`. It runs
/// before the expiry step, so a pass's expiry alarms already follow what Entra said. A tenant whose discovery
/// failed is tried again sooner: after 1 minute, doubling up to the interval, and never before a 429/503's
/// `Retry-After`. When a tenant ran last is read back from the database, so a restart does not discover again
/// at once. The configuration is read at every pass, so a reload takes effect at the next one.
public struct DiscoveryStep: SchedulerStep {
    public let name = "discovery"
    private let config: @Sendable () -> Config
    private let tokens: @Sendable () -> TokenCache
    public let evaluator: DiscoveryEvaluator
    private let schedule: DiscoverySchedule
    private let logger: Logger
    /// Where Graph's chain is recorded (nil: not recorded).
    private let certificates: EndpointCertificates?

    public init(config: @escaping @Sendable () -> Config, tokens: @escaping @Sendable () -> TokenCache,
                evaluator: DiscoveryEvaluator, logger: Logger = Logger(label: "secretwatch.discovery"),
                certificates: EndpointCertificates? = nil) {
        self.certificates = certificates
        self.config = config
        self.tokens = tokens
        self.evaluator = evaluator
        self.logger = logger
        schedule = DiscoverySchedule()
    }

    public func run(now: Date) async throws {
        let config = config()
        let tenants = config.discovery?.tenants ?? []
        let tokenSettings = TokenEndpointSettings.all(config: config)
        var discoveries: [String: TenantDiscovery] = [:]
        for tenant in tenants {
            discoveries[tenant.name] = TenantDiscovery(tenant: tenant, config: config, tokenSettings: tokenSettings)
        }
        let covered = Set(discoveries.values.flatMap { $0.secrets.map(\.name) })
        let names = Set(tenants.map(\.name))
        // What no tenant covers any more is forgotten once per change of the configuration, not at every pass.
        if schedule.coverageChanged(covered: covered, tenants: names) {
            try evaluator.forget(except: covered, tenants: names, now: now)
            schedule.noteCoverage(covered: covered, tenants: names)
        }
        guard let discovery = config.discovery else { return }
        if !schedule.loaded { schedule.load(try evaluator.engine.store.lastDiscoveryRuns()) }
        let due = tenants.filter { schedule.isDue($0, now: now, interval: discovery.interval) }
        let cache = tokens()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for tenant in due {
                guard let planned = discoveries[tenant.name] else { continue }
                if running >= ConfigDefaults.discoveryConcurrency {
                    try await group.next()
                    running -= 1
                }
                let interval = discovery.interval
                group.addTask { try await discover(planned, interval: interval, cache: cache, now: now) }
                running += 1
            }
            try await group.waitForAll()
        }
    }

    private func discover(_ discovery: TenantDiscovery, interval: TimeInterval, cache: TokenCache, now: Date) async throws {
        let tenant = discovery.tenant
        let outcome = await discovery.run(tokens: cache, startedAt: now, certificates: certificates)
        schedule.record(outcome, tenant: tenant, interval: interval)
        let summary = try evaluator.apply(outcome, now: now)
        switch outcome.result {
        case .success(let found):
            logger.info("tenant discovered", metadata: [
                "tenant": "\(tenant.name)", "applications": "\(found.applications)", "credentials": "\(found.credentials.count)",
                "added": "\(summary.sync.added)", "removed": "\(summary.sync.removed)", "pages": "\(outcome.pages)",
                "duration_seconds": "\(String(cFormat: "%.3f", outcome.duration))",
            ])
        case .failure(let failure):
            logger.warning("discovery failed", metadata: [
                "tenant": "\(tenant.name)", "reason": "\(failure.reason)", "error": "\(Redactor.scrub(failure.message))",
            ])
        }
    }
}

/// When each tenant is due: an interval after its last success, or after a failure the back-off (doubling from
/// `ConfigDefaults.discoveryRetryInitial` up to the interval, at least the `Retry-After`). A tenant whose settings
/// changed since its last run (a reload) is due at once.
final class DiscoverySchedule: Sendable {
    private struct Entry {
        var nextAt: Date
        var failures: Int
        /// The settings of the last run; nil when read back from the database.
        var settings: DiscoveryTenantConfig?
    }

    private let state = Mutex<(loaded: Bool, entries: [String: Entry])>((false, [:]))
    private let coverage = Mutex<(covered: Set<String>, tenants: Set<String>)?>(nil)

    func coverageChanged(covered: Set<String>, tenants: Set<String>) -> Bool {
        coverage.withLock { last in last.map { $0.covered != covered || $0.tenants != tenants } ?? true }
    }

    func noteCoverage(covered: Set<String>, tenants: Set<String>) {
        coverage.withLock { $0 = (covered, tenants) }
    }

    var loaded: Bool { state.withLock { $0.loaded } }

    /// The last runs as stored (a restart continues the schedule).
    func load(_ runs: [String: DiscoveryRun]) {
        state.withLock { s in
            guard !s.loaded else { return }
            s.loaded = true
            for (tenant, run) in runs where s.entries[tenant] == nil {
                // A failed last run is retried at once; a successful one an interval later (see `isDue`).
                s.entries[tenant] = Entry(nextAt: run.outcome == .success ? run.startedAt : .distantPast, failures: run.outcome == .success ? 0 : 1)
            }
        }
    }

    func isDue(_ tenant: DiscoveryTenantConfig, now: Date, interval: TimeInterval) -> Bool {
        state.withLock { s in
            guard let entry = s.entries[tenant.name] else { return true }
            if let settings = entry.settings, settings != tenant { return true }
            return entry.failures == 0 ? now >= entry.nextAt.addingTimeInterval(interval) : now >= entry.nextAt
        }
    }

    func record(_ outcome: TenantDiscoveryOutcome, tenant: DiscoveryTenantConfig, interval: TimeInterval) {
        state.withLock { s in
            switch outcome.result {
            case .success:
                s.entries[outcome.tenant] = Entry(nextAt: outcome.startedAt, failures: 0, settings: tenant)
            case .failure(let failure):
                let failures = (s.entries[outcome.tenant]?.failures ?? 0) + 1
                var delay = RetryPolicy(initial: ConfigDefaults.discoveryRetryInitial, maximum: max(interval, ConfigDefaults.discoveryRetryInitial))
                    .delay(afterFailures: failures, jitter: 1)
                if let asked = failure.retryAfter { delay = max(delay, asked) }
                s.entries[outcome.tenant] = Entry(nextAt: outcome.startedAt.addingTimeInterval(delay), failures: failures, settings: tenant)
            }
        }
    }
}
