import FoundationEssentials
import Glibc
import Logging
import ServiceLifecycle
import UnixSignals
import Synchronization
import Dispatch

/// The composition root: from a validated configuration, the store, the alarm engine and the scheduler
/// with its registered steps. `secretwatch run` runs it; tests build it with a `ManualClock`.
public final class Daemon: Sendable {
    /// The configuration in force (a SIGHUP reload may replace parts of it).
    public var config: Config { current.value }
    public let current: CurrentConfig
    public let store: Store
    public let engine: AlarmEngine
    public let scheduler: Scheduler
    public let clock: any WallClock
    public let telemetry: TelemetryHub
    /// Tokens for every credential with a secret (the SMTP one, and watched ones given a secret); the mailer asks
    /// it for its bearer token. A reload that changes token settings replaces the cache in the holder.
    public let tokenHolder: TokenCacheHolder
    public var tokens: TokenCache { tokenHolder.cache }
    /// What `/metrics` shows; also a telemetry observer.
    public let metrics: MetricsRegistry
    /// Long-running services started by `run()`, besides the scheduler.
    public let services: [any Service]
    /// The mailer's parts; `delivery` is nil without a token provider.
    public let mail: MailComponents
    public let delivery: DeliveryService?
    public let reloader: ConfigReloader
    /// The running daemon's claim on its database (`run`, `demo`), held as long as the daemon lives; nil for
    /// `send-test` and tests, which share the database through SQLite's own locking.
    public let databaseLock: DatabaseLock?
    /// The chains the endpoints presented and the `ca_file`s' certificates (metrics, `endpoint_certificate_expiring`).
    public let endpointCertificates: EndpointCertificates
    /// The webhook relay (`POST /api/v1/relay/{receiver}`): its settings in force and the intake the route calls.
    public let relayGate: RelayGate
    public let relayIntake: RelayIntake
    private let logger: Logger

    public init(config: Config, clock: any WallClock = SystemClock(), observers: [any AlarmTransitionObserver] = [],
                telemetry: [any TelemetryObserver] = [], logger: Logger = Logger(label: "secretwatch"),
                tokenFactory: (@Sendable (Config) -> any TokenProvider)? = nil,
                reload: (@Sendable () throws -> Config)? = nil, databaseLock: DatabaseLock? = nil) throws {
        precondition(databaseLock.map { $0.database == config.database } ?? true, "the lock is for another database")
        // Taken by the caller before anything here writes (migrations, credential sync).
        self.databaseLock = databaseLock
        let current = CurrentConfig(config)
        self.current = current
        self.clock = clock
        self.logger = logger
        store = try Store(path: config.database, now: clock.now(), health: StoreHealth(clock: clock))
        try store.writeCredentials(config.allCredentials, now: clock.now())
        metrics = MetricsRegistry(store: store)
        metrics.refreshFromStore()
        metrics.configLoaded(at: clock.now())
        let telemetry = TelemetryHub(telemetry + [metrics])
        self.telemetry = telemetry
        let certificates = EndpointCertificates()
        endpointCertificates = certificates
        certificates.onChange { [metrics] in metrics.endpointCertificates($0) }
        Self.watchCertificates(of: config, in: certificates, logger: logger)
        let recorder = TokenAttemptRecorder(store: store, telemetry: telemetry, logger: logger)
        let makeCache: @Sendable ([TokenEndpointSettings]) -> TokenCache = { settings in
            TokenCache(clients: settings.map { EntraTokenClient(settings: $0, certificates: certificates) }, clock: clock, recorder: recorder)
        }
        let settings = TokenEndpointSettings.all(config: config)
        let holder = TokenCacheHolder(settings: settings, cache: makeCache(settings))
        tokenHolder = holder
        mail = MailComponents(current: current, clock: clock)
        engine = AlarmEngine(store: store, observers: observers + [mail.alarmMailer], telemetry: telemetry)
        // Every periodic check, in the order a pass runs them.
        let steps: [any SchedulerStep] = [
            StoreHealthStep(engine: engine, credentialName: config.smtp.auth.name),
            DiscoveryStep(config: { current.value }, tokens: { holder.cache }, evaluator: DiscoveryEvaluator(engine: engine),
                          logger: logger, certificates: certificates),
            ExpiryStep(evaluator: ExpiryEvaluator(engine: engine, policy: config.alarms)),
            TokenHealthStep(holder: holder, evaluator: TokenHealthEvaluator(engine: engine, policy: config.alarms)),
            EndpointCertificateStep(evaluator: EndpointCertificateEvaluator(engine: engine, policy: config.alarms,
                                                                            credentialName: config.smtp.auth.name,
                                                                            certificates: certificates)),
        ] + mail.steps(config: config, engine: engine)
        scheduler = Scheduler(steps: steps, interval: config.scheduler.interval, clock: clock, store: store,
                              telemetry: telemetry)
        // The mailer authenticates with the same cache the token-health step keeps warm (tests may inject another).
        let delivery = mail.deliveryService(config: config, engine: engine, tokens: tokenFactory?(config) ?? holder,
                                            clock: clock, telemetry: telemetry, logger: logger, certificates: certificates)
        self.delivery = delivery
        let gate = try RelayGate(config: config.relay)
        relayGate = gate
        relayIntake = RelayIntake(store: store, gate: gate, sender: { current.value.notifications.from }, signal: mail.signal,
                                  telemetry: telemetry, logger: logger)
        let injected = tokenFactory != nil
        let source = config.sourcePath
        // A reload connection-tests new SMTP settings with a fresh cache for the new configuration; once applied,
        // that cache (or a new one, when only token settings changed) replaces the daemon's.
        let factory: @Sendable (Config) -> any TokenProvider = tokenFactory ?? { makeCache(TokenEndpointSettings.all(config: $0)) }
        reloader = ConfigReloader(current: current, load: reload ?? { try ConfigLoader().load(path: source).config },
                                  engine: engine, delivery: delivery, tokenFactory: factory, clock: clock,
                                  onApplied: { applied, tested in
                                      let settings = TokenEndpointSettings.all(config: applied)
                                      if settings != holder.settings {
                                          holder.replace(settings: settings, cache: (tested as? TokenCache) ?? makeCache(settings))
                                      }
                                      // The mailer keeps going through the holder: one cache for probing and sending
                                      // (an injected provider, in tests, is handed over as tested).
                                      if !injected {
                                          delivery?.update(smtp: applied.smtp, tokens: holder)
                                      } else if let tested {
                                          delivery?.update(smtp: applied.smtp, tokens: tested)
                                      }
                                  },
                                  // Every reload, even one that changes nothing: a ca_file may have been replaced in place.
                                  onReload: {
                                      Self.watchCertificates(of: $0, in: certificates, logger: logger)
                                      // Relay tokens are read again too: a token file may have been replaced in place.
                                      gate.reload($0.relay, logger: logger)
                                  })
        metrics.setSchedulerSteps(steps.map(\.name))
        services = [
            try HTTPService(config: config.http, store: store, engine: engine, metrics: metrics, scheduler: scheduler,
                            policy: config.alarms, clock: clock, relay: relayIntake),
            ReloadService(reloader: reloader),
        ] + (delivery.map { [$0] } ?? [])
            + [StartupMemoryService(scheduler: scheduler, store: store, logger: logger)]
            // Last, so that graceful shutdown reaches it first: STOPPING=1 goes out before the others stop.
            + [SystemdNotifyService(scheduler: scheduler, logger: logger)]
        // Parsing a large configuration leaves freed YAML nodes behind; hand that memory back to the system.
        MemoryRelease.returnFreedMemory()
    }

    /// Reads the configured `ca_file`s and names the endpoints whose chain must be seen before an
    /// `endpoint_certificate_expiring` alarm may clear (start-up and every reload).
    static func watchCertificates(of config: Config, in certificates: EndpointCertificates, logger: Logger) {
        let problems = certificates.loadCAFiles([config.smtp.caFile, config.token.caFile].compactMap { $0 })
        for (path, problem) in problems.sorted(by: { $0.key < $1.key }) {
            logger.warning("cannot read the certificates of a ca_file", metadata: ["ca_file": "\(path)", "error": "\(problem)"])
        }
        let smtp = SMTPTransport(config: config.smtp).endpoint
        let token = EndpointCertificate.endpoint(ofURL: TokenEndpointSettings(config: config).endpoint)
        certificates.expect([smtp] + (token.map { [$0] } ?? []))
    }

    /// One evaluation pass (`run --once`); returns the names of steps that failed.
    public func runOnce() async -> [String: String] {
        await scheduler.runPass()
        return scheduler.status.snapshot.failingSteps
    }

    /// After `runOnce`: delivers the mail that is due (the pass's alarm e-mails, retries that fell due), retrying
    /// transient failures for at most `timeout`; returns what went out and what is still queued.
    public func deliverDue(within timeout: TimeInterval) async throws -> OutboxRound {
        guard let delivery else { return OutboxRound() }
        return try await delivery.deliverDue(until: clock.now().addingTimeInterval(timeout))
    }

    /// Binds the HTTP port, then runs every service until SIGTERM or SIGINT and stops them gracefully. A port
    /// that cannot be bound throws before the scheduler runs a pass or the mailer sends anything.
    public func run() async throws {
        logger.info("secretwatch starting", metadata: [
            "version": "\(SecretWatchVersion.string)", "config": "\(config.sourcePath)", "database": "\(config.database)",
            "credentials": "\(config.allCredentials.count)",
        ])
        let group = ServiceGroup(configuration: .init(
            services: ([scheduler] + services).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        // The group handles SIGTERM and SIGINT once it runs. Until then (binding the port, starting the group) a
        // signal would take its default action and kill the process: stop gracefully instead (the group keeps a
        // request made before it runs).
        let early = Self.stopSignals { Task { await group.triggerGracefulShutdown() } }
        defer { early.forEach { $0.cancel() } }
        for case let http as HTTPService in services { try http.bind() }
        try await group.run()
        logger.info("secretwatch stopped")
    }

    private static func stopSignals(_ handler: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }
}

/// The mailer's parts of the daemon, built in one place so the composition root stays short: the alarm
/// e-mail observer, the outbox steps (re-notification, outbox age) and the delivery service.
public struct MailComponents: Sendable {
    public let signal: OutboxSignal
    public let alarmMailer: AlarmMailer

    public init(current: CurrentConfig, clock: any WallClock) {
        signal = OutboxSignal()
        alarmMailer = AlarmMailer(source: { current.value.notifications }, signal: signal, clock: clock)
    }

    public func steps(config: Config, engine: AlarmEngine) -> [any SchedulerStep] {
        [
            RenotifyStep(store: engine.store, mailer: alarmMailer, interval: config.alarms.renotifyInterval),
            OutboxAgeStep(alarm: MailDeliveryEvaluator(engine: engine, credentialName: config.smtp.auth.name),
                          maxAge: config.mailer.alarmAfter),
        ]
    }

    /// The delivery service, when there is a token provider to authenticate with.
    public func deliveryService(config: Config, engine: AlarmEngine, tokens: (any TokenProvider)?, clock: any WallClock,
                                telemetry: any TelemetryObserver, logger: Logger,
                                certificates: EndpointCertificates? = nil) -> DeliveryService? {
        guard let tokens else { return nil }
        return DeliveryService(store: engine.store, alarm: MailDeliveryEvaluator(engine: engine, credentialName: config.smtp.auth.name),
                               settings: .init(smtp: config.smtp, mailer: config.mailer, tokens: tokens), clock: clock,
                               signal: signal, telemetry: telemetry, logger: logger, certificates: certificates)
    }
}

/// The configuration in force; replaced by a successful reload, read by whoever needs the live value.
public final class CurrentConfig: Sendable {
    private let state: Mutex<Config>

    public init(_ config: Config) {
        state = Mutex(config)
    }

    public var value: Config { state.withLock { $0 } }

    func replace(with config: Config) {
        state.withLock { $0 = config }
    }
}

/// Turns SIGHUP into `ConfigReloader.reload()`, one reload at a time, until graceful shutdown.
public final class ReloadService: Service, Sendable {
    public let reloader: ConfigReloader

    public init(reloader: ConfigReloader) {
        self.reloader = reloader
    }

    public func run() async throws {
        signal(SIGHUP, SIG_IGN) // handled by the dispatch source below, not by the default action (exit)
        let (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer { source.cancel() }
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                await self.reloader.reload()
            }
        }
        continuation.finish()
    }
}

public enum SecretWatchVersion { public static let string = "0.1.0" }
