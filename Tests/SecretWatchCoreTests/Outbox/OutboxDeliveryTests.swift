import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// The outbox and its delivery service: retries on an injected clock, caps, durability, alarms.
@Suite("Outbox delivery")
struct OutboxDeliveryTests {
    @Test func serverDownThenUpDeliversEverythingAfterBackoff() async throws {
        let port = MailTestSupport.closedPort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secretwatch-updown-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        // The server's CA must exist before the client trusts it: start once to make the certificates, stop.
        let first = try await SMTPTestServer.start(directory: directory)
        let smtp = MailTestSupport.smtpConfig(port: port, caFile: first.caFile)
        first.stop()
        let h = try DeliveryHarness(smtp: smtp, mailer: MailerConfig(concurrency: 1, retryInitial: 60, retryMax: 3600, pollInterval: 86400))
        let queued = try h.enqueue(3)
        h.start()
        try await MailTestSupport.eventually("three deferred attempts and an idle worker") {
            try h.deliveries().count == 3 && h.clock.sleeperCount >= 1
        }
        let deferred = try h.deliveries()
        #expect(deferred.allSatisfy { $0.outcome == .deferred && $0.reason == "connect_refused" })
        // Backoff: first retry after initial·(½ + ½·jitter) = 60 · 0.75 = 45 s on the injected clock.
        for m in try h.outbox(.queued) {
            #expect(m.nextAttemptAt.timeIntervalSince(m.queuedAt) == 45)
            #expect(m.attempts == 1)
        }
        #expect(try h.store.activeAlarms().isEmpty, "a transient failure alone raises no alarm")

        let server = try await SMTPTestServer.start(port: port, directory: directory)
        defer { server.stop() }
        h.clock.advance(by: 44)
        try await Task.sleep(nanoseconds: 50_000_000)
        #expect(try h.deliveries().count == 3, "nothing is retried before its backoff ends")
        h.clock.advance(by: 1)
        try await MailTestSupport.eventually("all three sent") { try h.outbox(.sent).count == 3 }
        await h.stop()
        let received = try server.received()
        #expect(Set(received.map(\.message_id)) == Set(queued.map { "<\($0.messageId)>" }))
        #expect(try h.deliveries().filter { $0.outcome == .sent }.count == 3)
    }

    @Test func backoffGrowsExponentiallyWithJitter() {
        let policy = RetryPolicy(initial: 30, maximum: 600, jitter: { 0 })
        #expect(policy.delay(afterAttempts: 1, disposition: .transient) == 15)
        #expect(policy.delay(afterAttempts: 2, disposition: .transient) == 30)
        #expect(policy.delay(afterAttempts: 3, disposition: .transient) == 60)
        #expect(policy.delay(afterAttempts: 10, disposition: .transient) == 300)
        #expect(RetryPolicy(initial: 30, maximum: 600, jitter: { 0.999 }).delay(afterAttempts: 10, disposition: .transient) > 599)
        #expect(policy.delay(afterAttempts: 1, disposition: .blocking) == 600)
    }

    @Test func concurrencyCapAndConnectionReuse() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 3, ratePerMinute: 0))
        _ = try h.enqueue(12, from: "slow-sender@contoso.example")
        h.start()
        try await MailTestSupport.eventually("twelve sent") { try h.outbox(.sent).count == 12 }
        await h.stop()
        let stats = try server.stats()
        #expect(stats.messages == 12)
        #expect(stats.max_concurrent <= 3)
        #expect(stats.max_concurrent >= 2, "the workers do run in parallel")
        #expect(stats.connections <= 3, "each worker reuses its authenticated connection")
        // The test tokens expire an hour after the real time, long before the harness clock's "now": no series
        // keeps a token, so every send asks the provider (which caches in the daemon).
        #expect(h.tokens.requests == 12, "one token look-up per message when the token is about to expire")
    }

    @Test func aWorkerSendsItsClaimedMessagesAsASeriesWithOneToken() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // Tokens that are valid on the harness's clock: the worker keeps using one across its series.
        let tokens = TestTokenProvider(clock: ManualClock(now: now))
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, ratePerMinute: 0),
                                    tokens: tokens, now: now)
        let queued = try h.enqueue(7)
        h.start()
        try await MailTestSupport.eventually("seven sent") { try h.outbox(.sent).count == 7 }
        await h.stop()
        #expect(try h.deliveries().map(\.messageId) == queued.map(\.messageId), "in queue order, one attempt each")
        #expect(try h.deliveries().allSatisfy { $0.outcome == .sent })
        #expect(tokens.requests == 1)
        #expect(h.service.statistics.tokenRequests == 1)
        #expect(h.service.statistics.attempts == 7)
        #expect(try server.stats().connections == 1)
        #expect(try h.outbox(.sending).isEmpty)
    }

    @Test func claimedButUnsentMessagesGoBackToTheQueueWhenTheWorkerStops() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        // One send a minute on a clock that does not move: the worker sends one message, then waits for the
        // limiter with the rest of its claimed batch in hand.
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, ratePerMinute: 1, pollInterval: 86400))
        _ = try h.enqueue(10)
        h.start()
        try await MailTestSupport.eventually("one sent, the worker waiting for the limiter") {
            try h.outbox(.sent).count == 1 && h.clock.sleeperCount == 1
        }
        #expect(try h.outbox(.sending).count == DeliveryService.claimBatch - 1, "claimed in one go")
        await h.stop()
        #expect(try h.outbox(.sending).isEmpty)
        #expect(try h.outbox(.queued).count == 9)
        #expect(try h.outbox(.queued).allSatisfy { $0.attempts == 0 })
        #expect(try server.received().count == 1)
    }

    @Test func rateCapPerMinuteOnTheInjectedClock() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 3, ratePerMinute: 5, pollInterval: 86400))
        _ = try h.enqueue(12)
        h.start()
        try await MailTestSupport.eventually("five sent, the others waiting for the window") {
            try h.outbox(.sent).count == 5 && h.clock.sleeperCount == 3
        }
        #expect(try server.stats().messages == 5)
        h.clock.advance(by: 60)
        try await MailTestSupport.eventually("ten sent") { try h.outbox(.sent).count == 10 && h.clock.sleeperCount == 3 }
        #expect(try server.stats().messages == 10)
        h.clock.advance(by: 60)
        try await MailTestSupport.eventually("all sent") { try h.outbox(.sent).count == 12 }
        await h.stop()
    }

    @Test func inFlightMessageIsResentAfterACrashWithTheSameMessageID() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let smtp = server.smtpConfig()
        let path: String
        let queued: [MailMessage]
        do {
            // The "crashed" process: queued three, claimed one, died before recording anything.
            let h = try DeliveryHarness(smtp: smtp, mailer: MailerConfig())
            queued = try h.enqueue(3)
            let claimed = try #require(try h.store.claimNextDue(now: h.clock.now()))
            #expect(claimed.messageId == queued[0].messageId)
            path = h.store.path
        }
        let h = try DeliveryHarness(smtp: smtp, mailer: MailerConfig(), store: try Store(path: path))
        h.start()
        try await MailTestSupport.eventually("all sent after the restart") { try h.outbox(.sent).count == 3 }
        await h.stop()
        #expect(Set(try server.received().map(\.message_id)) == Set(queued.map { "<\($0.messageId)>" }))
    }

    @Test func blockingFailureRaisesTheAlarmAndSuccessClearsIt() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, retryMax: 3600, pollInterval: 86400))
        _ = try h.enqueue(1, from: "sendas-denied@contoso.example")
        h.start()
        try await MailTestSupport.eventually("the alarm") { try !h.store.activeAlarms().isEmpty }
        let alarm = try #require(try h.store.activeAlarms().first)
        #expect(alarm.kind == .mailDeliveryFailing)
        #expect(alarm.reason == "send_as_denied")
        let blocked = try #require(try h.store.outboxMessages(state: .queued).first { $0.from.hasPrefix("sendas") })
        #expect(blocked.nextAttemptAt.timeIntervalSince(h.clock.now()) == 3600, "a blocked path is retried at retry_max")
        #expect(blocked.lastReason == "send_as_denied")
        let row = try #require(try h.deliveries().first)
        #expect(row.smtpCode == 550 && row.enhancedCode == "5.7.60" && row.outcome == .deferred)
        #expect(row.reply?.contains("does not have permissions to send as") == true)

        _ = try h.enqueue(1)
        try await MailTestSupport.eventually("cleared") { try h.store.activeAlarms().isEmpty }
        await h.stop()
        let events = try h.store.events(alarmId: alarm.id).map(\.type)
        #expect(events.contains(.raised) && events.contains(.cleared))
    }

    @Test func permanentFailureStopsRetrying() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, pollInterval: 86400),
                                    includeSystemAlarms: false)
        _ = try h.enqueue(1, to: ["refused-1@contoso.example", "refused-2@contoso.example"])
        h.start()
        try await MailTestSupport.eventually("failed") { try h.outbox(.failed).count == 1 }
        await h.stop()
        let failed = try h.outbox(.failed)[0]
        #expect(failed.lastReason == "recipient_rejected")
        #expect(try h.store.outboxRecipients(outboxId: failed.id).allSatisfy { $0.state == "refused" })
        #expect(try h.deliveries().map(\.outcome) == [.failed])
        #expect(try h.store.activeAlarms().first?.reason == "recipient_rejected")
        #expect(try h.store.outboxSnapshot().depth == 0, "system alarms are not mailed with include_system_alarms off")
    }

    @Test func partialDeliveryRecordsEachRecipient() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        // Without alarm e-mails: the test looks at its own message only.
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, pollInterval: 86400),
                                    includeSystemAlarms: false)
        _ = try h.enqueue(1, to: ["admin1@contoso.example", "refused-x@contoso.example", "admin2@contoso.example"])
        h.start()
        try await MailTestSupport.eventually("sent") { try h.outbox(.sent).count == 1 }
        await h.stop()
        let sent = try h.outbox(.sent)[0]
        let recipients = try h.store.outboxRecipients(outboxId: sent.id)
        #expect(recipients.map(\.state) == ["accepted", "refused", "accepted"])
        #expect(recipients[1].reply?.contains("5.1.1") == true)
        let row = try #require(try h.deliveries().first)
        #expect(row.outcome == .partial && row.reason == "recipient_rejected")
        #expect(row.recipients.count == 3)
        // An administrator must hear that somebody does not get the alarms.
        let alarm = try #require(try h.store.activeAlarms().first)
        #expect(alarm.kind == .mailDeliveryFailing && alarm.reason == "recipient_rejected")
        #expect(alarm.summary.contains("refused-x@contoso.example"))
    }

    @Test func aRecipientRefusedInEveryMailKeepsOneAlarmWithoutChurn() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, pollInterval: 86400),
                                    includeSystemAlarms: false)
        _ = try h.enqueue(3, to: ["admin1@contoso.example", "refused-x@contoso.example"])
        h.start()
        try await MailTestSupport.eventually("all sent") { try h.outbox(.queued).isEmpty && h.outbox(.sending).isEmpty }
        await h.stop()
        let alarms = try h.store.alarms(AlarmFilter(kind: .mailDeliveryFailing))
        #expect(alarms.count == 1 && alarms[0].state == .active, "one alarm, not raised and cleared per mail")
        #expect(try h.store.events(alarmId: alarms[0].id).filter { $0.type == .raised || $0.type == .cleared }.map(\.type) == [.raised])
    }

    @Test func oldOutboxRaisesTheAlarm() async throws {
        let h = try DeliveryHarness(smtp: MailTestSupport.smtpConfig(port: MailTestSupport.closedPort(), caFile: nil),
                                    mailer: MailerConfig(alarmAfter: 600))
        _ = try h.enqueue(1)
        let step = OutboxAgeStep(alarm: MailDeliveryEvaluator(engine: h.engine, credentialName: "smtp"), maxAge: 600)
        try await step.run(now: h.clock.now().addingTimeInterval(599))
        #expect(try h.store.activeAlarms().isEmpty)
        try await step.run(now: h.clock.now().addingTimeInterval(601))
        #expect(try h.store.activeAlarms().map(\.kind) == [.mailDeliveryFailing])
    }

    @Test func finishedMessagesArePrunedQueuedOnesNever() throws {
        let h = try DeliveryHarness(smtp: MailTestSupport.smtpConfig(port: 1, caFile: nil), mailer: MailerConfig())
        _ = try h.enqueue(2)
        let done = try #require(try h.store.claimNextDue(now: h.clock.now()))
        try h.store.transaction { tx in
            try tx.finishAttempt(outboxId: done.id, state: .sent, nextAttemptAt: nil, reason: nil, reply: nil, at: h.clock.now())
        }
        #expect(try h.store.pruneOutbox(finishedBefore: h.clock.now()) == 0)
        #expect(try h.store.pruneOutbox(finishedBefore: h.clock.now().addingTimeInterval(1)) == 1)
        #expect(try h.store.outboxMessages().map(\.state) == [.queued])
        #expect(try h.store.outboxRecipients(outboxId: done.id).isEmpty)
    }
}
