import Foundation
import Testing
@testable import SecretWatchCore

/// `secretwatch_relay_oldest_queued_age_seconds`: the age of each receiver's oldest waiting relay mail, from the
/// store's outbox figures, at scrape time.
@Suite("Relay metrics")
struct RelayMetricsTests {
    typealias P = RelayPayloadSamples
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theOldestQueuedAgeFollowsTheOutboxPerReceiver() throws {
        let now = LockedBox(Self.t0)
        let store = try MailTestSupport.store(now: Self.t0)
        let metrics = MetricsRegistry(store: store, schedulerSteps: [], live: LiveMetrics(maxAge: .zero, now: { now.get() }))
        let gate = RelayGate(config: P.config(), tokens: RelayTokens(byReceiver: P.tokens.mapValues { Array($0.utf8) }))
        let intake = RelayIntake(store: store, gate: gate, sender: { "sender@contoso.example" }, telemetry: TelemetryHub([metrics]))
        _ = try intake.accept(receiver: "ops", body: Array(P.alertmanager().utf8), now: Self.t0)
        _ = try intake.accept(receiver: "dev", body: Array(P.alertmanager(groupKey: "other").utf8), now: Self.t0.addingTimeInterval(30))
        _ = try intake.accept(receiver: "ops", body: Array(P.alertmanager(groupKey: "later").utf8), now: Self.t0.addingTimeInterval(60))
        now.set(Self.t0.addingTimeInterval(90))
        metrics.flush()
        var text = try metrics.text()
        #expect(text.contains("secretwatch_relay_oldest_queued_age_seconds{receiver=\"dev\"} 60\n"), "\(text)")
        #expect(text.contains("secretwatch_relay_oldest_queued_age_seconds{receiver=\"ops\"} 90\n"))
        #expect(text.contains("secretwatch_outbox_messages 3\n"))

        // Once every relay mail of ops has gone (recorded sent), only dev's waits.
        for message in try store.claimDue(now: Self.t0.addingTimeInterval(90), limit: 10) where message.receiver == "ops" {
            try store.transaction { tx in
                try tx.finishAttempt(outboxId: message.id, state: .sent, nextAttemptAt: nil, reason: nil, reply: nil, at: Self.t0.addingTimeInterval(90))
            }
        }
        metrics.outbox(try store.outboxState())
        metrics.flush()
        text = try metrics.text()
        #expect(!text.contains("secretwatch_relay_oldest_queued_age_seconds{receiver=\"ops\"}"), "\(text)")
        #expect(text.contains("secretwatch_relay_oldest_queued_age_seconds{receiver=\"dev\"} 60\n"))
    }
}
