import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers the outbox: `mailer.concurrency` workers, each with its own SMTP transport (so each reuses its
/// authenticated connection), sharing one per-mailbox rate limiter. A worker claims the message due first,
/// sends it with `SMTPSender`, and records the attempt — delivery row, recipient states, next attempt or end,
/// alarm — in one transaction. Runs until graceful shutdown; a message claimed but not yet sent is released.
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
    let alarm: MailDeliveryAlarm
    let clock: any WallClock
    let telemetry: any TelemetryObserver
    public let signal: OutboxSignal
    let limiter: RateLimiter
    let retry: RetryPolicy
    let transportOptions: [CurlOption]
    let logger: Logger
    private let current: Mutex<Settings>
    private let stats = Mutex(Statistics())

    public init(store: Store, alarm: MailDeliveryAlarm, settings: Settings, clock: any WallClock,
                signal: OutboxSignal = OutboxSignal(), telemetry: any TelemetryObserver = TelemetryHub(),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, transportOptions: [CurlOption] = [],
                logger: Logger = Logger(label: "secretwatch.mailer")) {
        self.store = store
        self.alarm = alarm
        self.clock = clock
        self.signal = signal
        self.telemetry = telemetry
        limiter = RateLimiter(perMinute: settings.mailer.ratePerMinute, clock: clock)
        retry = RetryPolicy(initial: settings.mailer.retryInitial, maximum: settings.mailer.retryMax, jitter: jitter)
        self.transportOptions = transportOptions
        self.logger = logger
        current = Mutex(settings)
    }

    public var settings: Settings { current.withLock { $0 } }
    public var statistics: Statistics { stats.withLock { $0 } }

    /// Switches to new SMTP settings / token provider (after a reload passed its connection test). Workers
    /// pick them up before their next message; queued mail is retried at once.
    public func update(smtp: SMTPConfig, tokens: any TokenProvider) {
        current.withLock { $0.smtp = smtp; $0.tokens = tokens }
        signal.signal()
    }

    public func run() async throws {
        let recovered = try store.recoverInFlight()
        if recovered > 0 {
            logger.notice("re-queued mail that was being sent when secretwatch stopped", metadata: ["count": "\(recovered)"])
        }
        reportOutbox()
        let workers = settings.mailer.concurrency
        logger.info("mailer started", metadata: ["workers": "\(workers)", "rate_per_minute": "\(settings.mailer.ratePerMinute)"])
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<workers {
                group.addTask { await self.worker(index) }
            }
        }
        logger.info("mailer stopped")
    }

    private var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    func worker(_ index: Int) async {
        var transport: SMTPTransport?
        while !stopping {
            let seen = signal.generation
            let message: OutboxMessage?
            do {
                message = try store.claimNextDue(now: clock.now())
            } catch {
                logger.error("cannot read the outbox", metadata: ["error": "\(error)"])
                message = nil
            }
            guard let message else {
                let next = (try? store.nextDueTime()) ?? nil
                let pollEnd = clock.now().addingTimeInterval(settings.mailer.pollInterval)
                let deadline = next.map { min($0, pollEnd) } ?? pollEnd
                await cancelWhenGracefulShutdown {
                    await self.signal.wait(after: seen, until: deadline, clock: self.clock)
                }
                continue
            }
            // With the cap off (`rate_per_minute: 0`) there is nothing to wait for: skip the actor hop and the
            // cancellation task group a wait would need.
            if limiter.perMinute > 0 {
                do {
                    try await cancelWhenGracefulShutdown { try await self.limiter.acquire() }
                } catch {
                    try? store.release(outboxId: message.id)
                    break
                }
            }
            let settings = self.settings
            if transport?.config != settings.smtp {
                transport = SMTPTransport(config: settings.smtp, extraOptions: transportOptions)
            }
            let sender = SMTPSender(transport: transport!, tokens: settings.tokens, credential: settings.smtp.auth.name)
            await deliver(message, with: sender)
            reportOutbox()
        }
    }

    /// Tells the metrics what the outbox looks like now (after start-up and every attempt).
    func reportOutbox() {
        do {
            telemetry.outbox(try store.outboxState())
        } catch {
            logger.error("cannot read the outbox", metadata: ["error": "\(error)"])
        }
    }

    /// One attempt at one claimed message, recorded.
    func deliver(_ message: OutboxMessage, with sender: SMTPSender) async {
        let attemptedAt = clock.now()
        let attempt = await sender.send(Data(message.content.utf8), from: message.from, to: message.pendingRecipients)
        stats.withLock {
            $0.attempts += 1
            $0.tokenRequests += attempt.tokenRequests
            if attempt.retriedAfter535 { $0.retriesAfter535 += 1 }
            if attempt.result.delivered { $0.delivered += 1 }
        }
        do {
            let delivery = try record(message, attempt.result, attemptedAt: attemptedAt, recipients: message.pendingRecipients)
            telemetry.delivery(delivery)
            let level: Logger.Level = delivery.outcome == .sent ? .debug : .warning
            logger.log(level: level, "mail delivery attempt", metadata: [
                "message_id": "\(message.messageId)", "outcome": "\(delivery.outcome.rawValue)",
                "reason": "\(delivery.reason ?? "-")", "reply": "\(delivery.reply ?? "-")",
            ])
        } catch {
            logger.error("cannot record a delivery attempt", metadata: ["message_id": "\(message.messageId)", "error": "\(error)"])
            try? store.release(outboxId: message.id)
        }
    }
}
