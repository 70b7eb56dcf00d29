import Foundation
import Logging
import ServiceLifecycle
internal import SecretWatchHTTPServer

/// Runs the HTTP server as a long-running service: binds when the daemon starts (`bind()`, before the scheduler
/// or the mailer do anything, so a taken port stops start-up cleanly) or else when the service group starts it;
/// stops (and closes every connection) on graceful shutdown (SIGTERM, SIGINT) or cancellation.
public final class HTTPService: Service, Sendable {
    let server: MicroHTTPDServer
    /// What the token settings leave open, for the warning when the server listens beyond loopback.
    let exposure: HTTPExposure?

    init(server: MicroHTTPDServer, exposure: HTTPExposure? = nil) {
        self.server = server
        self.exposure = exposure
    }

    /// The server for a configuration: the listen address from `http.listen`, the token from
    /// `http.api_token_file` (read now, so a bad file stops start-up with a clear message), the limits from `http`
    /// unless given.
    convenience init(config: HTTPConfig, store: Store, engine: AlarmEngine, metrics: MetricsRegistry,
                     scheduler: Scheduler, policy: AlarmPolicy, clock: any WallClock,
                     limits: HTTPServerLimits? = nil, relay: RelayIntake? = nil,
                     logger: Logger = Logger(label: "secretwatch.http")) throws {
        let auth = try BearerAuth.load(path: config.apiTokenFile)
        let router = APIRouter(store: store, engine: engine, metrics: metrics, schedulerStatus: scheduler.status,
                               schedulerInterval: scheduler.interval, policy: policy, clock: clock, auth: auth,
                               authReads: config.authReads, relay: relay, logger: logger)
        self.init(server: MicroHTTPDServer(host: config.listenHost, port: config.listenPort, limits: limits ?? config.limits,
                                           handler: router, logger: logger),
                  exposure: HTTPExposure(tokenConfigured: config.apiTokenFile != nil, authReads: config.authReads))
    }

    /// Binds and starts serving (once); throws naming the address when it cannot. Warns when the address is
    /// reachable from other hosts and reads need no token.
    public func bind() throws {
        guard !server.isRunning else { return }
        try server.start()
        if !server.listensOnLoopback, let warning = exposure?.warning(address: server.boundAddress) {
            server.logger.warning("\(warning)")
        }
    }

    public func run() async throws {
        try bind()
        defer { server.stop() }
        // Returns when graceful shutdown begins; throws CancellationError when the task is cancelled.
        try? await gracefulShutdown()
    }
}

/// What an HTTP listener reachable from other hosts gives away, given the token settings: `/metrics` and
/// `/readyz` are always open; the read API is open unless `http.auth_reads` (which needs `http.api_token_file`).
public struct HTTPExposure: Sendable, Equatable {
    public var tokenConfigured: Bool
    public var authReads: Bool

    public init(tokenConfigured: Bool, authReads: Bool) {
        self.tokenConfigured = tokenConfigured
        self.authReads = authReads
    }

    static let readAPI = "/api/v1/alarms, /api/v1/credentials and /api/v1/deliveries (credential names, tenant and client ids, "
        + "mailboxes, secret expiry dates, alarm history with acknowledgement comments, send outcomes)"

    /// The start-up warning for a listener on `address` that is not loopback; nil when reads need the token.
    public func warning(address: String) -> String? {
        if tokenConfigured && authReads { return nil }
        let reason = tokenConfigured ? "http.auth_reads is false" : "http.api_token_file is not set"
        let fix = tokenConfigured ? "set http.auth_reads: true" : "set http.api_token_file and http.auth_reads: true"
        return "http.listen \(address) is not a loopback address and \(reason): anyone who can reach it reads /metrics, /readyz and "
            + "\(Self.readAPI) without a token; \(fix), or listen on 127.0.0.1 behind a reverse proxy or firewall"
    }
}
