import FoundationEssentials
import Logging

/// `secretwatch discover`: the configured tenants (or some of them) discovered now, one after the other in the
/// order of the configuration, by the same `TenantDiscovery` the daemon's discovery step runs — so the command and
/// the daemon decide alike. Nothing is written: the database is not opened, and the token cache here records its
/// attempts nowhere (no row, no metric, no log line). Secrets are read to request tokens and to compare their
/// hint, as the daemon does, and go no further.
public struct DiscoveryPreview: Sendable {
    public var config: Config
    public var tenants: [DiscoveryTenantConfig]
    private let tokens: TokenCache
    private let clock: any WallClock
    private let environment: [String: String]

    /// - Parameter tenants: the entries to discover (every configured one by default).
    public init(config: Config, tenants: [DiscoveryTenantConfig]? = nil, clock: any WallClock = SystemClock(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.config = config
        self.tenants = tenants ?? config.discovery?.tenants ?? []
        self.clock = clock
        self.environment = environment
        let silent = Logger(label: "secretwatch.discover", factory: { _ in SwiftLogNoOpLogHandler() })
        let clients = TokenEndpointSettings.all(config: config, environment: environment).map {
            EntraTokenClient(settings: $0, environment: environment)
        }
        tokens = TokenCache(clients: clients, clock: clock,
                            recorder: TokenAttemptRecorder(store: nil, telemetry: TelemetryHub(), logger: silent))
    }

    /// Discovers each tenant in turn; `each` hears of every tenant as soon as it is done (the text output streams).
    public func run(each: (DiscoverReport.Tenant) -> Void = { _ in }) async -> DiscoverReport {
        var done: [DiscoverReport.Tenant] = []
        for tenant in tenants {
            let startedAt = clock.now()
            let entry: DiscoverReport.Tenant
            if let discovery = TenantDiscovery(tenant: tenant, config: config, environment: environment) {
                let outcome = await discovery.run(tokens: tokens, startedAt: startedAt, environment: environment)
                entry = DiscoverReport.Tenant(discovery, outcome, config: config, now: clock.now())
            } else {
                // Validation prevents it: a reader without token settings.
                entry = DiscoverReport.Tenant(unreadable: tenant, config: config, at: startedAt)
            }
            each(entry)
            done.append(entry)
        }
        return DiscoverReport(generatedAt: clock.now(), graphEndpoint: config.discovery?.graphEndpoint ?? ConfigDefaults.graphEndpoint,
                              tenants: done)
    }
}
