import FoundationEssentials
import Logging
import ServiceLifecycle
import Synchronization

/// Runs every registered step once per interval, driven by an injected clock. A failing step is logged and
/// retried next pass; it never stops the others or the daemon. Alarm state lives in SQLite, so a restart
/// resumes where the last pass left off.
public final class Scheduler: Service, Sendable {
    public let steps: [any SchedulerStep]
    public let interval: TimeInterval
    public let clock: any WallClock
    public let status: SchedulerStatus
    private let store: Store
    private let telemetry: any TelemetryObserver
    private let logger: Logger
    /// A step that keeps failing the same way (the store is full) is logged once per `LogRateLimiter.interval`.
    private let logLimiter: LogRateLimiter

    public init(steps: [any SchedulerStep], interval: TimeInterval, clock: any WallClock, store: Store,
                status: SchedulerStatus = SchedulerStatus(), telemetry: any TelemetryObserver = TelemetryHub(),
                logger: Logger = Logger(label: "secretwatch.scheduler"), logLimiter: LogRateLimiter? = nil) {
        self.steps = steps
        self.interval = interval
        self.clock = clock
        self.store = store
        self.status = status
        self.telemetry = telemetry
        self.logger = logger
        self.logLimiter = logLimiter ?? LogRateLimiter(clock: clock)
    }

    /// One pass over every step.
    public func runPass() async {
        let started = clock.now()
        let monotonicStart = ContinuousClock.now
        var failures: [String: String] = [:]
        for step in steps {
            do {
                try await step.run(now: started)
            } catch {
                failures[step.name] = Redactor.scrub("\(error)")
                logger.log(level: .error, "scheduler step failed", metadata: ["step": "\(step.name)", "error": "\(error)"],
                           limitedBy: logLimiter)
            }
        }
        let elapsed = ContinuousClock.now - monotonicStart
        let duration = elapsed.timeInterval
        status.record(startedAt: started, duration: duration, failures: failures)
        telemetry.schedulerPass(startedAt: started, duration: duration, failingSteps: failures.keys.sorted())
        // A pass over many credentials allocates and frees tens of megabytes; hand the freed pages back.
        MemoryRelease.returnFreedMemory()
        do {
            try store.setMeta("scheduler.last_pass_at", Timestamps.rfc3339(started))
        } catch {
            logger.log(level: .error, "cannot record the scheduler pass", metadata: ["error": "\(error)"], limitedBy: logLimiter)
        }
        logger.debug("scheduler pass done", metadata: ["duration_seconds": "\(String(cFormat: "%.3f", duration))"])
    }

    /// Runs passes until the task is cancelled or graceful shutdown begins.
    public func run() async throws {
        logger.info("scheduler started", metadata: ["interval": "\(DurationText.format(interval))", "steps": "\(steps.map(\.name).joined(separator: ","))"])
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await runPass()
            do {
                try await cancelWhenGracefulShutdown {
                    try await self.clock.sleep(for: self.interval)
                }
            } catch {
                break
            }
        }
        logger.info("scheduler stopped")
    }

    /// Waits until the first pass is done (polling every `poll`); false when the daemon begins to stop first.
    public func firstPassDone(poll: Duration = .milliseconds(50)) async -> Bool {
        while status.snapshot.passes == 0 {
            guard (try? await Task.sleep(for: poll)) != nil, !Task.isShuttingDownGracefully else { return false }
        }
        return true
    }
}

/// What the scheduler last did, read by `/readyz`, `/metrics` and `status` without waiting on it.
public final class SchedulerStatus: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var passes = 0
        public var lastPassStartedAt: Date?
        public var lastPassDuration: TimeInterval?
        /// Step name → last error text, for steps whose last run failed.
        public var failingSteps: [String: String] = [:]
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func record(startedAt: Date, duration: TimeInterval, failures: [String: String]) {
        state.withLock { s in
            s.passes += 1
            s.lastPassStartedAt = startedAt
            s.lastPassDuration = duration
            s.failingSteps = failures
        }
    }
}

/// One kind of periodic work. Every step shares this signature and is registered in one list, built by
/// `Daemon` in the order a pass runs them: store health, discovery, expiry, token health, re-notification, outbox age.
public protocol SchedulerStep: Sendable {
    /// Short stable name, used in logs and metrics.
    var name: String { get }
    func run(now: Date) async throws
}
