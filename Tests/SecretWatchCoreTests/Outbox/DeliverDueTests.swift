import Foundation
import Testing
@testable import SecretWatchCore

/// `DeliveryService.deliverDue(until:)`, the bounded round of `run --once`, on a clock that does not move.
@Suite("Outbox delivery: one bounded round")
struct DeliverDueTests {
    @Test("a round stops where the rate cap would start a send after the deadline; the rest stays queued, unattempted")
    func rateCapAtTheDeadline() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, ratePerMinute: 1))
        _ = try h.enqueue(3)
        let round = try await h.service.deliverDue(until: h.clock.now().addingTimeInterval(30))
        #expect(round == OutboxRound(sent: 1, undelivered: 2, failed: 0, waiting: 0, nextAttemptAt: nil, lastReason: nil, lastReply: nil))
        #expect(!round.complete)
        #expect(try server.received().count == 1)
        #expect(try h.outbox(.sending).isEmpty, "claimed messages went back to the queue")
        #expect(try h.outbox(.queued).allSatisfy { $0.attempts == 0 })
    }

    @Test("a round with nothing due returns at once; mail backing off past the deadline counts as waiting")
    func nothingDue() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 2, ratePerMinute: 0))
        let empty = try await h.service.deliverDue(until: h.clock.now().addingTimeInterval(60))
        #expect(empty == OutboxRound() && empty.complete)

        _ = try h.enqueue(1)
        let later = h.clock.now().addingTimeInterval(600)
        try h.store.withRawConnection { try $0.run("UPDATE outbox SET next_attempt_at = ?", [later]) }
        let round = try await h.service.deliverDue(until: h.clock.now().addingTimeInterval(60))
        #expect(round == OutboxRound(waiting: 1, nextAttemptAt: later))
        #expect(round.complete)
        #expect(try server.received().isEmpty)
    }
}
