import Foundation
import Testing
@testable import SecretWatchCore

/// Relayed notifications go through the same delivery service as alarm mail: a refusal raises the same
/// `mail_delivery_failing` alarm, and the attempt is tagged with the receiver.
@Suite("Relay mail delivery", .serialized)
struct RelayDeliveryTests {
    typealias P = RelayPayloadSamples

    @Test(.timeLimit(.minutes(2))) func relayMailRefusedByTheServerRaisesMailDeliveryFailing() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, pollInterval: 86400),
                                    includeSystemAlarms: false)
        let relay = RelayConfig(receivers: [RelayReceiverConfig(name: "ops", to: ["refused-1@contoso.example"])])
        let gate = RelayGate(config: relay, tokens: RelayTokens(byReceiver: ["ops": Array(P.opsToken.utf8)]))
        let intake = RelayIntake(store: h.store, gate: gate, sender: { "sender@contoso.example" }, signal: h.service.signal)
        let accepted = try intake.accept(receiver: "ops", body: Array(P.alertmanager().utf8), now: h.clock.now())
        guard case .queued(let outboxId, let messageId) = accepted else {
            Issue.record("not queued: \(accepted)")
            return
        }
        h.start()
        try await MailTestSupport.eventually("the relay mail failed") { try h.outbox(.failed).count == 1 }
        await h.stop()
        #expect(try h.outbox(.failed).first?.id == outboxId)
        let alarm = try #require(try h.store.activeAlarms().first)
        #expect(alarm.kind == .mailDeliveryFailing && alarm.reason == "recipient_rejected")
        let row = try #require(try h.deliveries().first { $0.messageId == messageId })
        #expect(row.receiver == "ops" && row.outcome == .failed)
    }
}
