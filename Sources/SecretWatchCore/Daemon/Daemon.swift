import Foundation
import Logging
import ServiceLifecycle

/// The composition root: from a validated configuration, the store, the alarm engine and the scheduler
/// with its registered steps. `secretwatch run` runs it; tests build it with a `ManualClock`.
public final class Daemon: Sendable {
    public let config: Config
    public let store: Store
    public let engine: AlarmEngine
    public let scheduler: Scheduler
    public let clock: any WallClock
    public let telemetry: TelemetryHub
    /// What `/metrics` shows; also a telemetry observer.
    public let metrics: MetricsRegistry
    /// Long-running services started by `run()`, besides the scheduler.
    public let services: [any Service]
    private let logger: Logger

    public init(config: Config, clock: any WallClock = SystemClock(), observers: [any AlarmTransitionObserver] = [],
                telemetry: [any TelemetryObserver] = [], logger: Logger = Logger(label: "secretwatch")) throws {
        self.config = config
        self.clock = clock
        self.logger = logger
        store = try Store(path: config.database, now: clock.now())
        try store.syncCredentials(config.allCredentials, now: clock.now())
        metrics = MetricsRegistry(store: store)
        metrics.refreshFromStore()
        let telemetry = TelemetryHub(telemetry + [metrics])
        self.telemetry = telemetry
        engine = AlarmEngine(store: store, observers: observers, telemetry: telemetry)
        // Every periodic check, in the order a pass runs them.
        let steps: [any SchedulerStep] = [
            ExpiryStep(evaluator: ExpiryEvaluator(engine: engine, policy: config.alarms)),
        ]
        scheduler = Scheduler(steps: steps, interval: config.scheduler.interval, clock: clock, store: store,
                              telemetry: telemetry)
        metrics.setSchedulerSteps(steps.map(\.name))
        services = [
            try HTTPService(config: config.http, store: store, engine: engine, metrics: metrics, scheduler: scheduler,
                            policy: config.alarms, clock: clock),
        ]
    }

    /// One evaluation pass (`run --once`); returns the names of steps that failed.
    public func runOnce() async -> [String: String] {
        await scheduler.runPass()
        return scheduler.status.snapshot.failingSteps
    }

    /// Runs until SIGTERM or SIGINT, then stops every service gracefully.
    public func run() async throws {
        logger.info("secretwatch starting", metadata: [
            "version": "\(SecretWatchVersion.string)", "config": "\(config.sourcePath)", "database": "\(config.database)",
            "credentials": "\(config.allCredentials.count)",
        ])
        let group = ServiceGroup(configuration: .init(
            services: ([scheduler] + services).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.info("secretwatch stopped")
    }
}
