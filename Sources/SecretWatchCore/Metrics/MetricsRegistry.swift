import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Synchronization
internal import SecretWatchExposition

/// Holds everything `/metrics` shows and keeps a rendered, compressed exposition ready.
///
/// Writers (telemetry events from the token client, the mailer, the scheduler and the alarm engine) update
/// the in-memory state and ask for a render; renders run on one serial queue, coalesced (a burst of events
/// costs one render), and publish a new `Exposition`. Alarm transitions and scheduler passes also ask for a
/// refresh of credentials, discovery runs and active alarms from the store, on the same queue (a discovery runs
/// inside a scheduler pass, so the pass's refresh shows it). A scrape only takes the
/// published exposition and the live tail: it never waits for a render, a token request, an SMTP session or
/// SQLite.
public final class MetricsRegistry: TelemetryObserver, Sendable {
    private struct Pending {
        var render = false
        var refresh = false
        var generation: UInt64 = 0
        var lastRender: ContinuousClock.Instant?
        /// The credentials version the published credential families were read at.
        var credentialsVersion: CredentialsVersion?
    }

    /// At most one render per this interval: under a burst of telemetry (hundreds of deliveries a second, each
    /// changing a counter) the exposition is re-rendered once a second instead of continuously, and a scrape
    /// shows values at most this old.
    private let minimumRenderInterval: Duration
    /// Segments larger than this keep only their deflate data (see `DeflateSegment`).
    private let plainLimit: Int

    private let state: Mutex<MetricsState>
    private let pending = Mutex(Pending())
    private let published: Mutex<Exposition>
    private let queue = DispatchQueue(label: "secretwatch.metrics.render")
    private let store: Store?
    let live: LiveMetrics
    private let logger: Logger

    /// - Parameters:
    ///   - store: where credentials and active alarms are refreshed from (nil: only what is fed in).
    ///   - schedulerSteps: step names, exported as `secretwatch_scheduler_step_failing` 0 until one fails.
    ///   - liveMaxAge: how long the HTTP/process part of a scrape is reused.
    public convenience init(store: Store?, schedulerSteps: [String] = [], liveMaxAge: Duration = .seconds(1),
                            minimumRenderInterval: Duration = .seconds(1),
                            logger: Logger = Logger(label: "secretwatch.metrics")) {
        self.init(store: store, schedulerSteps: schedulerSteps, live: LiveMetrics(maxAge: liveMaxAge),
                  minimumRenderInterval: minimumRenderInterval, logger: logger)
    }

    init(store: Store?, schedulerSteps: [String], live: LiveMetrics, minimumRenderInterval: Duration = .seconds(1),
         plainLimit: Int = DeflateSegment.defaultPlainLimit, logger: Logger = Logger(label: "secretwatch.metrics")) {
        self.minimumRenderInterval = minimumRenderInterval
        self.plainLimit = plainLimit
        let initial = MetricsState()
        live.setSchedulerSteps(schedulerSteps)
        if let store { live.watch(store.health) }
        state = Mutex(initial)
        self.store = store
        self.live = live
        self.logger = logger
        // An empty state always renders and compresses; a failure here is a zlib installation problem.
        let first: Exposition
        do {
            first = try Exposition(generation: 0, state: initial, plainLimit: plainLimit)
        } catch {
            fatalError("cannot compress the initial /metrics exposition: \(error)")
        }
        published = Mutex(first)
    }

    // MARK: - feeding state

    /// Changes the in-memory state and schedules a render.
    func update(_ change: (inout MetricsState) -> Void) {
        state.withLock { change(&$0) }
        scheduleRender()
    }

    /// Replaces the active alarms; renders only when they changed.
    func setActiveAlarms(_ alarms: [Alarm]) {
        let changed = state.withLock { s -> Bool in
            guard s.activeAlarms != alarms else { return false }
            s.activeAlarms = alarms
            return true
        }
        if changed { scheduleRender() }
    }

    /// The scheduler's step names, exported as `secretwatch_scheduler_step_failing` 0 until one fails.
    public func setSchedulerSteps(_ names: [String]) {
        live.setSchedulerSteps(names)
    }

    /// Schedules a refresh of credentials, discovery runs and active alarms from the store (coalesced).
    public func refreshFromStore() {
        guard let store else { return }
        let schedule = pending.withLock { p -> Bool in
            if p.refresh { return false }
            p.refresh = true
            return true
        }
        guard schedule else { return }
        queue.async { [self] in
            pending.withLock { $0.refresh = false }
            do {
                // The credential families are re-read only when the credentials may have changed: with 100,000
                // of them a read is 100,000 rows, and the scheduler refreshes after every pass.
                let version = try store.credentialsVersion()
                if version != pending.withLock({ $0.credentialsVersion }) {
                    let families = try CredentialFamilies.render(plainLimit: plainLimit) { emit in
                        try store.forEachWatchedCredential(emit)
                    }
                    pending.withLock { $0.credentialsVersion = version }
                    update {
                        $0.credentialFamilies = families
                        $0.discovery.configured = families.discoveryTenants
                    }
                }
                try refreshDiscovery(from: store)
                setActiveAlarms(try store.activeAlarms())
                Self.returnFreedMemory()
            } catch {
                logger.error("cannot refresh metrics from the store; serving the previous values", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Follows the discovery runs stored since the last refresh (the first one loads each tenant's last run and
    /// last success); renders only when something changed. Runs on the render queue, the only writer of
    /// `MetricsState.discovery`.
    private func refreshDiscovery(from store: Store) throws {
        var health = state.withLock { $0.discovery }
        let before = health
        if !health.loaded {
            health.load(last: try store.lastDiscoveryRuns(), lastSuccess: try store.lastSuccessfulDiscoveryRuns())
        }
        for run in try store.discoveryRuns(after: health.lastRunId) { health.record(run) }
        if health != before { update { $0.discovery = health } }
    }

    /// Waits until every refresh and render asked for so far has been published (tests, benchmarks): a render
    /// held back by the minimum interval runs now.
    public func flush() {
        queue.sync {}
        queue.sync { renderPending() }
    }

    private func scheduleRender() {
        let wait = pending.withLock { p -> Duration? in
            if p.render { return nil }
            p.render = true
            guard let last = p.lastRender else { return .zero }
            let due = last + minimumRenderInterval
            let now = ContinuousClock.now
            return due > now ? due - now : .zero
        }
        guard let wait else { return }
        if wait == .zero {
            queue.async { [self] in renderPending() }
        } else {
            queue.asyncAfter(deadline: .now() + wait.timeInterval) { [self] in renderPending() }
        }
    }

    /// Renders and publishes, if a render is still pending (runs on the render queue).
    private func renderPending() {
        let generation = pending.withLock { p -> UInt64? in
            guard p.render else { return nil }
            p.render = false
            p.generation += 1
            p.lastRender = .now
            return p.generation
        }
        guard let generation else { return }
        // Changes made after this snapshot set `render` again and get their own pass.
        let snapshot = state.withLock { $0 }
        do {
            let exposition = try Exposition(generation: generation, state: snapshot, plainLimit: plainLimit)
            published.withLock { $0 = exposition }
            Self.returnFreedMemory()
        } catch {
            logger.error("cannot compress /metrics; serving the previous exposition", metadata: ["error": "\(error)"])
        }
    }

    /// A render allocates and frees a few MB (text chunks, compression buffers) on the queue's thread, and glibc keeps
    /// freed memory in that thread's arena; give it back so the resident size stays that of the live state.
    private static func returnFreedMemory() {
        MemoryRelease.returnFreedMemory()
    }

    // MARK: - scraping

    /// What a scrape sends: the published exposition and the live tail, without copying either.
    func scrape() throws(GzipError) -> MetricsPayload {
        let exposition = published.withLock { $0 }
        return MetricsPayload(exposition: exposition, tail: try live.tail(for: exposition))
    }

    /// The whole plain exposition as text (CLI, tests).
    public func text() throws -> String {
        let payload = try scrape()
        return String(decoding: try payload.exposition.plainBytes() + payload.tail.plain.array, as: UTF8.self)
    }

    func countRequest(path: String, code: Int) {
        live.countRequest(path: path, code: code)
    }
}

/// The registry is a telemetry observer: components report here and never wait (an update is a lock and
/// an enqueue).
extension MetricsRegistry {
    public func tokenAttempt(_ attempt: TokenAttempt) {
        update { $0.record(attempt) }
    }

    public func delivery(_ delivery: Delivery) {
        update { $0.record(delivery) }
    }

    public func schedulerPass(startedAt: Date, duration: TimeInterval, failingSteps: [String]) {
        live.recordPass(startedAt: startedAt, duration: duration, failingSteps: failingSteps)
        refreshFromStore()
    }

    /// Called inside the alarm's transaction: only memory is touched here; the store refresh runs later on
    /// the render queue, after the transaction has committed and released the store.
    public func alarmTransition(_ transition: AlarmTransition) {
        if transition.type == .raised {
            update { $0.alarmsRaised[transition.alarm.kind, default: 0] += 1 }
        }
        refreshFromStore()
    }

    public func outbox(_ state: OutboxState) {
        // Only the state part's figures: the relay ages go to the live part (they grow between changes).
        live.relayQueue(state.relayOldestQueuedAt)
        var figures = state
        figures.relayOldestQueuedAt = [:]
        update { $0.outbox = figures }
    }

    /// Receivers are configured names (bounded); statuses and outcomes fixed words.
    public func relayNotification(receiver: String, status: String, outcome: String) {
        update { $0.relayNotifications[MetricsState.RelayKey(receiver: receiver, status: status, outcome: outcome), default: 0] += 1 }
    }

    public func configReload(successful: Bool, at date: Date) {
        update { state in
            state.lastReloadSuccessful = successful
            if successful { state.lastSuccessfulLoad = date }
        }
    }

    /// The configuration the daemon started with was loaded at `date`.
    public func configLoaded(at date: Date) {
        update { $0.lastSuccessfulLoad = date }
    }

    /// Every certificate of the endpoints' chains and the `ca_file`s, after a change (`EndpointCertificates.onChange`).
    public func endpointCertificates(_ certificates: [EndpointCertificate]) {
        update { $0.endpointCertificates = certificates }
    }
}
