import Foundation
import Logging
import SecretWatchTesting
@testable import SecretWatchCore

/// A delivery service on a `ManualClock` with a fresh store, run in a task the test stops.
final class DeliveryHarness: @unchecked Sendable {
    let clock: ManualClock
    let store: Store
    let engine: AlarmEngine
    let service: DeliveryService
    let tokens: TestTokenProvider
    private var task: Task<Void, Never>?

    /// `provider` replaces `tokens` as what the mailer authenticates with (a gated one, say); `logger` is the mailer's.
    init(smtp: SMTPConfig, mailer: MailerConfig, tokens: TestTokenProvider = TestTokenProvider(), provider: (any TokenProvider)? = nil,
         store: Store? = nil, includeSystemAlarms: Bool = true, jitter: Double = 0.5,
         now: Date = Date(timeIntervalSince1970: 1_800_000_000), logger: Logger = Logger(label: "secretwatch.mailer")) throws {
        clock = ManualClock(now: now)
        self.store = try store ?? MailTestSupport.store(smtp: smtp, now: now)
        self.tokens = tokens
        let signal = OutboxSignal()
        let mailer2 = AlarmMailer(notifications: MailTestSupport.notifications(includeSystem: includeSystemAlarms), signal: signal, clock: clock)
        engine = AlarmEngine(store: self.store, observers: [mailer2])
        service = DeliveryService(store: self.store, alarm: MailDeliveryEvaluator(engine: engine, credentialName: smtp.auth.name),
                                  settings: .init(smtp: smtp, mailer: mailer, tokens: provider ?? tokens), clock: clock, signal: signal,
                                  jitter: { jitter }, logger: logger)
    }

    func start() {
        let service = service
        task = Task { try? await service.run() }
    }

    func stop() async {
        task?.cancel()
        await task?.value
        task = nil
    }

    func enqueue(_ count: Int, from: String = "sender@contoso.example", to: [String] = ["admin1@contoso.example"]) throws -> [MailMessage] {
        var messages: [MailMessage] = []
        for i in 0..<count {
            let m = MailTestSupport.message(from: from, to: to, subject: "message \(i)", body: "body \(i)\n", date: clock.now())
            try store.enqueue(m, kind: .test, at: clock.now())
            messages.append(m)
        }
        service.signal.signal()
        return messages
    }

    func outbox(_ state: OutboxMessage.State) throws -> [OutboxMessage] {
        try store.outboxMessages(state: state, limit: 10_000)
    }

    func deliveries() throws -> [Delivery] { try store.deliveries(limit: 10_000).reversed() }
}
