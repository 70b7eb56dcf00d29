import Foundation
import Logging
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// The outbox on a real full disk (a small tmpfs filled to the last byte) with a real SMTP peer (aiosmtpd):
/// the workers stop sending and back off instead of spinning, hold the outcome of the mail they had just sent
/// and write it down once the disk has room again, so nothing goes out twice — not even after a restart; the
/// store reports a persistent failure meanwhile, and `store_failing` is written raised and cleared afterwards.
@Suite("Delivery on a full disk", .enabled(if: SmallVolume.mountPermitted, SmallVolume.skipReason))
struct DiskFullDeliveryTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    /// Backoff doubles from 2 s to at most 16 s (on the test's manual clock).
    static let mailer = MailerConfig(concurrency: 2, ratePerMinute: 0, retryInitial: 2, retryMax: 16, pollInterval: 5)

    static func logger(_ sink: LogSink) -> Logger {
        Logger(label: "secretwatch.mailer") { KeyValueLogHandler(label: $0, level: .info, sink: sink) }
    }

    /// Message-IDs the server received more than once.
    static func duplicates(_ server: SMTPTestServer) throws -> [String] {
        let ids = try server.received().map(\.message_id)
        return Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    }

    /// Advances the manual clock past the longest backoff and waits until both workers sleep on it again.
    static func nextRetry(_ h: DeliveryHarness) async throws {
        h.clock.advance(by: mailer.retryMax)
        try await MailTestSupport.eventually("both workers back off again") { h.clock.sleeperCount == 2 }
    }

    @Test(.timeLimit(.minutes(3))) func aFullDiskPausesTheWorkersAndNothingIsSentTwice() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let volume = try SmallVolume(size: "4m")
        defer { try? volume.unmount() }
        let smtp = server.smtpConfig()
        let store = try MailTestSupport.store(smtp: smtp, now: Self.now, path: volume.path("secretwatch.db"))
        let sink = MemoryLogSink()
        let tokens = GatedTokenProvider()
        let h = try DeliveryHarness(smtp: smtp, mailer: Self.mailer, provider: tokens, store: store, now: Self.now,
                                    logger: Self.logger(sink))
        // 12 messages: each worker claims 4 and 4 stay queued (due, but nobody can claim them while the disk is full).
        let queued = try h.enqueue(12)
        h.start()
        try await MailTestSupport.eventually("both workers claimed and wait for a token") { tokens.arrived == 2 }

        // The disk fills between the claim and the send: each worker sends the mail in hand, and the store
        // refuses its outcome.
        try volume.fill()
        tokens.open()
        try await MailTestSupport.eventually("the mail in hand sent") { try server.received().count >= 2 }
        // Real time passes without the manual clock moving: a worker that does not wait shows itself here.
        try await Task.sleep(for: .seconds(1))
        #expect(try server.received().count == 2, "a worker kept sending while its outcomes could not be recorded")
        #expect(sink.lines.count < 20, "\(sink.lines.count) log lines while the disk is full:\n\(sink.lines.prefix(30).joined())")
        try await MailTestSupport.eventually("both workers back off") { h.clock.sleeperCount == 2 }

        // Eight rounds of the longest backoff: one try per worker per round, and few lines.
        let rounds = 8
        for _ in 0..<rounds { try await Self.nextRetry(h) }
        #expect(try server.received().count == 2)
        #expect(sink.lines.count < 20, "\(sink.lines.count) log lines while the disk is full:\n\(sink.lines.prefix(30).joined())")
        #expect(sink.lines.contains { $0.contains("cannot record a delivery attempt") })
        let failing = store.health.status
        #expect(failing.persistent && failing.episode?.reason == .diskFull)
        let tries = failing.failures[.diskFull] ?? 0
        #expect(tries <= 2 + 2 * rounds, "\(tries) store operations in \(rounds) rounds of backoff: the workers do not wait")
        // store_failing cannot be written yet.
        let step = StoreHealthStep(engine: h.engine, credentialName: smtp.auth.name)
        await #expect(throws: StoreError.self) { try await step.run(now: h.clock.now()) }
        #expect(try store.alarms(AlarmFilter(kind: .storeFailing)).isEmpty)

        // Room again: the held outcomes are written, the rest goes out once.
        try volume.free()
        h.clock.advance(by: Self.mailer.retryMax)
        try await MailTestSupport.eventually("every message sent") { try h.outbox(.sent).count == queued.count }
        #expect(!store.health.status.persistent)
        // The next pass writes store_failing down, raised and cleared; its two e-mails go out too.
        try await step.run(now: h.clock.now())
        let alarm = try #require(try store.alarms(AlarmFilter(kind: .storeFailing)).first)
        #expect(alarm.state == .cleared && alarm.reason == "disk_full")
        try await MailTestSupport.eventually("the alarm mails sent") { try h.outbox(.sent).count == queued.count + 2 }
        #expect(try h.outbox(.sending).isEmpty && h.outbox(.queued).isEmpty)
        await h.stop()

        // A restart re-queues whatever was left claimed: nothing is, so nothing goes out again.
        let again = try DeliveryHarness(smtp: smtp, mailer: Self.mailer, store: store, now: h.clock.now())
        again.start()
        try await MailTestSupport.eventually("the restarted workers idle") { again.clock.sleeperCount == 2 }
        await again.stop()

        let received = try server.received().map(\.message_id)
        #expect(Set(received).isSuperset(of: queued.map { "<\($0.messageId)>" }), "every queued message arrived")
        let duplicates = try Self.duplicates(server)
        #expect(duplicates.isEmpty, "sent twice: \(duplicates)")
        #expect(try h.deliveries().filter { $0.outcome == .sent }.count == queued.count + 2, "one delivery row per message")
    }

    @Test(.timeLimit(.minutes(2))) func aMailerStartedOnAFullDiskWaitsForRoomInsteadOfStopping() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let volume = try SmallVolume(size: "4m")
        defer { try? volume.unmount() }
        let smtp = server.smtpConfig()
        let store = try MailTestSupport.store(smtp: smtp, now: Self.now, path: volume.path("secretwatch.db"))
        let h = try DeliveryHarness(smtp: smtp, mailer: Self.mailer, store: store, now: Self.now)
        // A message the last run had claimed when it stopped: the new run must put it back in the queue first.
        let queued = try h.enqueue(1)
        #expect(try store.claimDue(now: h.clock.now(), limit: 1).count == 1)
        try volume.fill()
        h.start()
        try await MailTestSupport.eventually("the mailer backs off") { h.clock.sleeperCount == 1 }
        for _ in 0..<3 {
            h.clock.advance(by: Self.mailer.retryMax)
            try await MailTestSupport.eventually("the mailer backs off again") { h.clock.sleeperCount == 1 }
        }
        #expect(try server.received().isEmpty)

        try volume.free()
        h.clock.advance(by: Self.mailer.retryMax)
        try await MailTestSupport.eventually("the claimed message sent") { try h.outbox(.sent).count == 1 }
        await h.stop()
        #expect(try server.received().map(\.message_id) == ["<\(queued[0].messageId)>"])
    }
}
