import FoundationEssentials
import Logging
import ServiceLifecycle
import Synchronization

public import SecretWatchCurl

/// Delivers the outbox: `mailer.concurrency` workers, each with its own SMTP transport (so each reuses its
/// authenticated connection), sharing one per-mailbox rate limiter. A worker claims the messages due first
/// (a few at a time), sends one with `SMTPSender`, and records the attempt — delivery row, recipient states,
/// next attempt or end, alarm — in one transaction, which also claims its next messages when it has none left.
/// Each outcome is committed before the worker starts its next send: when the store refuses it (disk full), the
/// worker holds the outcome, sends nothing, and backs off until the store takes it (`DeliveryService+StoreFailure`).
/// Runs until graceful shutdown; messages claimed but not yet sent are released.
public final class DeliveryService: Service, Sendable {
    public struct Settings: Sendable {
        public var smtp: SMTPConfig
        public var mailer: MailerConfig
        public var tokens: any TokenProvider
        public init(smtp: SMTPConfig, mailer: MailerConfig, tokens: any TokenProvider) {
            self.smtp = smtp
            self.mailer = mailer
            self.tokens = tokens
        }
    }

    /// Counters since start (the benchmark and tests read them).
    public struct Statistics: Sendable, Equatable {
        public var attempts = 0
        public var delivered = 0
        public var tokenRequests = 0
        public var retriesAfter535 = 0
    }

    let store: Store
    let alarm: MailDeliveryEvaluator
    let clock: any WallClock
    let telemetry: any TelemetryObserver
    public let signal: OutboxSignal
    let limiter: RateLimiter
    let retry: RetryPolicy
    let transportOptions: [CurlOption]
    /// Where the SMTP server's chain is recorded (nil: not recorded).
    let certificates: EndpointCertificates?
    let logger: Logger
    /// Holds back repeats of the mailer's error lines (a failing store fails every try the same way).
    let logLimiter: LogRateLimiter
    private let current: Mutex<Settings>
    /// Counts `update` calls: a series of sends stops when the settings it started with were replaced.
    private let settingsGeneration = Atomic<Int>(0)
    /// Set on graceful shutdown or cancellation; read on the sending threads, where no task is current.
    private let stopRequested = Atomic<Bool>(false)
    let stats = Mutex(Statistics())

    public init(store: Store, alarm: MailDeliveryEvaluator, settings: Settings, clock: any WallClock,
                signal: OutboxSignal = OutboxSignal(), telemetry: any TelemetryObserver = TelemetryHub(),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, transportOptions: [CurlOption] = [],
                logger: Logger = Logger(label: "secretwatch.mailer"), logLimiter: LogRateLimiter? = nil,
                certificates: EndpointCertificates? = nil) {
        self.certificates = certificates
        self.store = store
        self.alarm = alarm
        self.clock = clock
        self.signal = signal
        self.telemetry = telemetry
        limiter = RateLimiter(perMinute: settings.mailer.ratePerMinute, clock: clock)
        retry = RetryPolicy(initial: settings.mailer.retryInitial, maximum: settings.mailer.retryMax, jitter: jitter)
        self.transportOptions = transportOptions
        self.logger = logger
        self.logLimiter = logLimiter ?? LogRateLimiter(clock: clock)
        current = Mutex(settings)
        // Workers backing off after a store failure try again as soon as the store takes writes.
        store.health.onRecovery { [signal] in signal.signal() }
    }

    public var settings: Settings { current.withLock { $0 } }
    public var statistics: Statistics { stats.withLock { $0 } }

    /// Switches to new SMTP settings / token provider (after a reload passed its connection test). Workers
    /// pick them up before their next message; queued mail is retried at once.
    public func update(smtp: SMTPConfig, tokens: any TokenProvider) {
        current.withLock { $0.smtp = smtp; $0.tokens = tokens }
        settingsGeneration.add(1, ordering: .sequentiallyConsistent)
        signal.signal()
    }

    public func run() async throws {
        guard await requeueInFlight() else {
            logger.info("mailer stopped")
            return
        }
        reportOutbox()
        let workers = settings.mailer.concurrency
        logger.info("mailer started", metadata: ["workers": "\(workers)", "rate_per_minute": "\(settings.mailer.ratePerMinute)"])
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    for index in 0..<workers {
                        group.addTask { await self.worker(index) }
                    }
                }
            } onGracefulShutdown: {
                self.stopRequested.store(true, ordering: .sequentiallyConsistent)
            }
        } onCancel: {
            self.stopRequested.store(true, ordering: .sequentiallyConsistent)
        }
        logger.info("mailer stopped")
    }

    private var stopping: Bool {
        Task.isCancelled || Task.isShuttingDownGracefully || stopRequested.load(ordering: .sequentiallyConsistent)
    }

    /// How many due messages a worker claims at once when it has none in hand. The transaction that records an
    /// attempt also claims the worker's next messages, so a burst costs one transaction per mail; claimed
    /// messages that are not attempted (shutdown, crash) go back to the queue unsent.
    static let claimBatch = 4

    /// One worker: until shutdown, or with a `deadline` (`run --once`) until it passes or nothing more falls due
    /// before it.
    func worker(_ index: Int, until deadline: Date? = nil) async {
        var transport: SMTPTransport?
        let claimed = ClaimedMessages()
        // Consecutive store operations of this worker that failed: while there are any it sends nothing and
        // waits (doubling, up to mailer.retry_max) before it tries the store again.
        var storeFailures = 0
        var seen = signal.generation
        while !stopping && !Self.passed(deadline, clock.now()) {
            if storeFailures > 0 {
                await backOff(after: storeFailures, seen: seen, before: deadline)
                if stopping || Self.passed(deadline, clock.now()) { break }
            }
            seen = signal.generation
            // An outcome the store refused goes first: nothing else is sent before it is written down.
            if let held = claimed.held {
                do {
                    claimed.add(try record(held, claimNext: claimed.isEmpty ? Self.claimBatch : 0))
                    claimed.recordedHeld()
                } catch {
                    storeFailures += 1
                    unrecorded(held, error)
                    continue
                }
                storeFailures = 0
            }
            if claimed.isEmpty {
                do {
                    claimed.add(try store.claimDue(now: clock.now(), limit: Self.claimBatch))
                } catch {
                    storeFailures += 1
                    logger.log(level: .error, "cannot claim mail from the outbox; retrying later", metadata: ["error": "\(error)"],
                               limitedBy: logLimiter)
                    continue
                }
                storeFailures = 0
            }
            guard let first = claimed.take() else {
                let next = (try? store.nextDueTime()) ?? nil
                if let deadline, next.map({ $0 > deadline }) ?? true { break } // nothing more is due in time
                let pollEnd = clock.now().addingTimeInterval(settings.mailer.pollInterval)
                let wake = min(next.map { min($0, pollEnd) } ?? pollEnd, deadline ?? .distantFuture)
                let seen = seen
                await cancelWhenGracefulShutdown {
                    await self.signal.wait(after: seen, until: wake, clock: self.clock)
                }
                continue
            }
            // With the cap off (`rate_per_minute: 0`) there is nothing to wait for: skip the actor hop and the
            // cancellation task group a wait would need.
            if limiter.perMinute > 0 {
                let granted = (try? await cancelWhenGracefulShutdown { try await self.limiter.acquire(before: deadline) }) ?? false
                guard granted else {
                    claimed.putBack(first)
                    break
                }
            }
            let generation = settingsGeneration.load(ordering: .sequentiallyConsistent)
            let settings = self.settings
            if transport?.config != settings.smtp {
                transport = SMTPTransport(config: settings.smtp, extraOptions: transportOptions, certificates: certificates)
            }
            let sender = SMTPSender(transport: transport!, tokens: settings.tokens, credential: settings.smtp.auth.name,
                                    clock: clock)
            claimed.start(first, at: clock.now())
            await sender.send(series: Self.outgoing(first)) { attempt in
                self.attempted(attempt, claimed: claimed, generation: generation, deadline: deadline)
            }
            // The series stopped because the store refused an outcome: back off before trying it again.
            if claimed.held != nil { storeFailures += 1 }
        }
        stopped(claimed)
    }

    /// Runs on the sending thread after each attempt of a worker's series: records the attempt (claiming the
    /// worker's next messages when it has none left), then hands out the next claimed message while nothing
    /// asks the series to stop — shutdown, the rate cap (each send waits for the limiter in the worker's
    /// task), new settings, the worker's deadline, or a store that did not take the outcome (the worker holds it).
    private func attempted(_ attempt: SMTPSender.Attempt, claimed: ClaimedMessages, generation: Int,
                           deadline: Date?) -> SMTPSender.Outgoing? {
        let (message, attemptedAt) = claimed.finish()
        count(attempt)
        let outcome = Outcome(message: message, result: attempt.result, attemptedAt: attemptedAt)
        let stop = stopRequested.load(ordering: .sequentiallyConsistent) || Self.passed(deadline, clock.now())
        do {
            claimed.add(try record(outcome, claimNext: claimed.isEmpty && !stop ? Self.claimBatch : 0))
        } catch {
            claimed.hold(outcome)
            unrecorded(outcome, error)
            return nil
        }
        guard !stop, limiter.perMinute == 0, settingsGeneration.load(ordering: .sequentiallyConsistent) == generation,
              let next = claimed.take() else { return nil }
        claimed.start(next, at: clock.now())
        return Self.outgoing(next)
    }

    static func passed(_ deadline: Date?, _ now: Date) -> Bool {
        deadline.map { now >= $0 } ?? false
    }

    static func outgoing(_ message: OutboxMessage) -> SMTPSender.Outgoing {
        SMTPSender.Outgoing(content: Data(message.content.utf8), from: message.from, to: message.pendingRecipients)
    }

    /// Tells the metrics what the outbox looks like now (at start-up; afterwards the record transaction reads it).
    func reportOutbox() {
        do {
            telemetry.outbox(try store.outboxState())
        } catch {
            logger.log(level: .error, "cannot read the outbox", metadata: ["error": "\(error)"], limitedBy: logLimiter)
        }
    }
}

extension DeliveryService {
    /// Sends one queued message now, outside the workers (`secretwatch send-test`), and returns the recorded
    /// attempt; nil when the message is not queued any more (a running daemon claimed it first).
    public func deliverNow(outboxId: Int64) async throws -> Delivery? {
        guard let message = try store.claim(outboxId: outboxId, now: clock.now()) else { return nil }
        try await limiter.acquire()
        let settings = self.settings
        let sender = SMTPSender(transport: SMTPTransport(config: settings.smtp, extraOptions: transportOptions, certificates: certificates),
                                tokens: settings.tokens, credential: settings.smtp.auth.name)
        try await deliver(message, with: sender)
        return try store.lastDelivery(messageId: message.messageId)
    }
}

extension DeliveryService {
    /// One bounded delivery round (`secretwatch run --once`): the workers deliver what is due, retry transient
    /// failures whose next attempt still falls before `deadline`, and stop once nothing more is due before it
    /// (or it has passed: an attempt in flight then finishes, bounded by the SMTP timeouts). Messages claimed but
    /// not attempted go back to the queue. Mail backing off past the deadline stays queued for a later round.
    public func deliverDue(until deadline: Date) async throws -> OutboxRound {
        let start = clock.now()
        let recovered = try store.recoverInFlight()
        if recovered > 0 {
            logger.notice("re-queued mail that was being sent when secretwatch stopped", metadata: ["count": "\(recovered)"])
        }
        let workers = settings.mailer.concurrency
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<workers {
                group.addTask { await self.worker(index, until: deadline) }
            }
        }
        let round = try store.outboxRound(since: start, deadline: deadline)
        if round.waiting > 0 {
            logger.info("mail left queued for a later attempt", metadata: [
                "count": "\(round.waiting)", "next_attempt_at": "\(round.nextAttemptAt.map(Timestamps.rfc3339) ?? "-")",
            ])
        }
        return round
    }
}

/// What one bounded delivery round (`run --once`) did with the mail that was due, and what it left queued.
/// Mail whose next attempt lies after the round's deadline (a retry backing off) was not due: it is counted as
/// `waiting`, not as undelivered.
public struct OutboxRound: Sendable, Equatable {
    /// Messages accepted by the server for every recipient during the round.
    public var sent: Int
    /// Messages that were due (their next attempt at or before the deadline, or attempted in the round) and are
    /// still queued.
    public var undelivered: Int
    /// Messages that ended in the round without reaching every recipient: refused for good, given up, or a
    /// recipient refused.
    public var failed: Int
    /// Queued messages not due before the deadline, left for a later run, and the earliest of their next attempts.
    public var waiting: Int
    public var nextAttemptAt: Date?
    /// The round's last failed attempt: its reason and the server's reply (or the failure's detail).
    public var lastReason: String?
    public var lastReply: String?

    public init(sent: Int = 0, undelivered: Int = 0, failed: Int = 0, waiting: Int = 0, nextAttemptAt: Date? = nil,
                lastReason: String? = nil, lastReply: String? = nil) {
        self.sent = sent
        self.undelivered = undelivered
        self.failed = failed
        self.waiting = waiting
        self.nextAttemptAt = nextAttemptAt
        self.lastReason = lastReason
        self.lastReply = lastReply
    }

    /// Everything that was due went out.
    public var complete: Bool { undelivered == 0 && failed == 0 }
}
