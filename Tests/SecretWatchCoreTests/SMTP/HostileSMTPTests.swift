import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore
import SecretWatchCurl

/// The mailer against a server that answers what no stand-in of ours would: refusals after DATA, RFC 7628 error
/// challenges, 421 at any stage, echoes of the AUTH blob, a TLS mode that does not match the port.
@Suite("SMTP against a hostile server")
struct HostileSMTPTests {
    static let challenge = #"{"status":"401","schemes":"bearer","scope":"https://outlook.office365.com/.default"}"#

    func send(_ server: SMTPTestServer, to: [String] = ["admin1@contoso.example"], tokens: TestTokenProvider = TestTokenProvider(),
              config: SMTPConfig? = nil) async throws -> SMTPSender.Attempt {
        let message = MailTestSupport.message(to: to)
        let sender = SMTPSender(transport: SMTPTransport(config: config ?? server.smtpConfig()), tokens: tokens, credential: "smtp")
        return await sender.send(try message.rendered(), from: message.from, to: message.to)
    }

    // MARK: refusals after DATA

    @Test func aRefusalAtEndOfDataLeavesEveryRecipientPendingAndTheRetryDeliversOnce() async throws {
        let server = try await SMTPTestServer.hostile([HostileRule("eod", "451 4.4.0 Message delayed, try again later", times: 1)])
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, retryInitial: 60, pollInterval: 86400))
        _ = try h.enqueue(1, to: ["admin1@contoso.example", "admin2@contoso.example"])
        h.start()
        try await MailTestSupport.eventually("the deferred attempt") { try h.deliveries().count == 1 && h.clock.sleeperCount >= 1 }
        let queued = try #require(try h.outbox(.queued).first)
        #expect(try h.store.outboxRecipients(outboxId: queued.id).map(\.state) == ["pending", "pending"],
                "a recipient is accepted only when the message is")
        #expect(queued.pendingRecipients == ["admin1@contoso.example", "admin2@contoso.example"])
        let first = try #require(try h.deliveries().first)
        #expect(first.outcome == .deferred && first.reason == "smtp_transient" && first.smtpCode == 451)
        h.clock.advance(by: 3600)
        try await MailTestSupport.eventually("sent") { try h.outbox(.sent).count == 1 }
        await h.stop()
        #expect(server.acceptedMessages().count == 1, "delivered exactly once")
        let rcpts = server.clientLines().filter { $0.uppercased().hasPrefix("RCPT TO:") }
        #expect(rcpts.count == 4, "the retry carried RCPT TO for both recipients again: \(rcpts)")
        #expect(!server.clientLines().contains { $0.uppercased().hasPrefix("HELP") || $0.uppercased().hasPrefix("VRFY") })
        #expect(try h.store.outboxRecipients(outboxId: queued.id).map(\.state) == ["accepted", "accepted"])
    }

    @Test func aQuotaRefusalAtEndOfDataQueuesUntilTheQuotaResets() async throws {
        let quota = "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]"
        let server = try await SMTPTestServer.hostile([HostileRule("eod", quota)])
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, retryMax: 3600, pollInterval: 86400))
        let queued = try #require(try h.enqueue(1, to: ["admin1@contoso.example"]).first)
        h.start()
        try await MailTestSupport.eventually("the alarm") { try !h.store.activeAlarms().isEmpty }
        let message = try #require(try h.outbox(.queued).first { $0.messageId == queued.messageId })
        #expect(message.lastReason == "quota_exceeded")
        #expect(try h.store.outboxRecipients(outboxId: message.id).map(\.state) == ["pending"])
        #expect(try h.store.activeAlarms().first?.reason == "quota_exceeded")
        try server.setRules([]) // Exchange lifted the limit
        h.clock.advance(by: 3600)
        try await MailTestSupport.eventually("sent after the reset") {
            try h.outbox(.sent).contains { $0.messageId == queued.messageId }
        }
        try await MailTestSupport.eventually("the alarm cleared") { try h.store.activeAlarms().isEmpty }
        await h.stop()
        let mine = server.acceptedMessages().filter { String(decoding: $0, as: UTF8.self).contains(queued.messageId) }
        #expect(mine.count == 1)
    }

    @Test func aSendAsDenialAtEndOfDataIsClassifiedAndAcceptsNoRecipient() async throws {
        let denied = "554 5.2.252 SendAsDenied; sender@contoso.example not allowed to send as alerts@contoso.example; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied"
        let server = try await SMTPTestServer.hostile([HostileRule("eod", denied)])
        defer { server.stop() }
        let h = try DeliveryHarness(smtp: server.smtpConfig(), mailer: MailerConfig(concurrency: 1, retryMax: 3600, pollInterval: 86400))
        _ = try h.enqueue(1, to: ["admin1@contoso.example", "admin2@contoso.example"])
        h.start()
        try await MailTestSupport.eventually("the alarm") { try !h.store.activeAlarms().isEmpty }
        await h.stop()
        let row = try #require(try h.deliveries().first)
        #expect(row.reason == "send_as_denied" && row.outcome == .deferred && row.enhancedCode == "5.2.252")
        let message = try #require(try h.outbox(.queued).first)
        #expect(try h.store.outboxRecipients(outboxId: message.id).allSatisfy { $0.state == "pending" })
        #expect(try h.store.activeAlarms().first?.reason == "send_as_denied")
    }

    @Test func aRefusalAtEndOfDataIsNotAnAcceptedRecipient() throws {
        // The dialogue as libcurl traces it: both RCPT answered 250, the message refused after the body.
        let trace: [(CurlResponse.TraceLine.Kind, String)] = [
            (.received, "220 TEST.local ESMTP"), (.sent, "EHLO client"), (.received, "250 TEST.local"),
            (.sent, "MAIL FROM:<sender@contoso.example>"), (.received, "250 2.1.0 Sender OK"),
            (.sent, "RCPT TO:<a@contoso.example>"), (.received, "250 2.1.5 Recipient OK"),
            (.sent, "RCPT TO:<b@contoso.example>"), (.received, "250 2.1.5 Recipient OK"),
            (.sent, "DATA"), (.received, "354 go ahead"), (.received, "550 5.2.254 Sender throttled"),
        ]
        let response = CurlResponse.smtp(code: .recvError, trace: trace)
        let result = SMTPClassifier.classify(response, recipients: ["a@contoso.example", "b@contoso.example"], proxyConfigured: false)
        #expect(result.failure?.reason == "sender_throttled")
        #expect(result.accepted.isEmpty)
        #expect(result.refused.isEmpty, "nobody was refused: the message was")
        #expect(result.recipients.map(\.state) == [.pending, .pending])
    }

    @Test func aMessageIsNeverSentWithoutRecipients() async throws {
        let server = try await SMTPTestServer.hostile()
        defer { server.stop() }
        let message = MailTestSupport.message(to: ["admin1@contoso.example"])
        let sender = SMTPSender(transport: SMTPTransport(config: server.smtpConfig()), tokens: TestTokenProvider(), credential: "smtp")
        let attempt = await sender.send(try message.rendered(), from: message.from, to: [])
        #expect(attempt.result.failure?.reason == "no_recipients")
        #expect(server.clientLines().isEmpty, "not even a connection: libcurl would send HELP/VRFY instead of a mail")
    }

    // MARK: AUTH

    @Test func anRFC7628ErrorChallengeIsATokenRefusalRetriedWithAFreshToken() async throws {
        let server = try await SMTPTestServer.hostile([HostileRule("auth", "CHALLENGE \(Self.challenge)", times: 1)])
        defer { server.stop() }
        let tokens = TestTokenProvider([TestTokens.stale, TestTokens.good])
        let attempt = try await send(server, tokens: tokens)
        #expect(attempt.result.failure == nil, "\(String(describing: attempt.result.failure))")
        #expect(attempt.retriedAfter535)
        #expect(tokens.invalidations == 1 && tokens.requests == 2)
        #expect(server.acceptedMessages().count == 1)
    }

    @Test func aRepeatedErrorChallengeIsSMTPAuthRejectedWithTheDecodedStatus() async throws {
        let server = try await SMTPTestServer.hostile([HostileRule("auth", "CHALLENGE \(Self.challenge)")])
        defer { server.stop() }
        let tokens = TestTokenProvider([TestTokens.stale, TestTokens.other])
        let attempt = try await send(server, tokens: tokens)
        let failure = try #require(attempt.result.failure)
        #expect(failure.reason == "smtp_auth_rejected")
        #expect(tokens.invalidations == 1 && tokens.requests == 2, "one retry with a fresh token, not more")
        let detail = failure.detail ?? ""
        #expect(detail.contains("status 401"), "\(detail)")
        #expect(detail.contains("scope https://outlook.office365.com/.default"), "\(detail)")
        for secret in [TestTokens.stale, TestTokens.other] {
            #expect(!detail.contains(secret) && !(attempt.result.replyText ?? "").contains(secret))
        }
    }

    @Test func noXOAUTH2OfferIsNamed() async throws {
        let server = try await SMTPTestServer.hostile([HostileRule("ehlo", "250-TEST.local Hello\n250-AUTH LOGIN PLAIN\n250 SMTPUTF8")])
        defer { server.stop() }
        let attempt = try await send(server)
        #expect(attempt.result.failure?.reason == "auth_mechanism_unavailable")
        #expect(attempt.result.failure?.detail?.contains("AUTH LOGIN PLAIN") == true, "\(String(describing: attempt.result.failure?.detail))")
        #expect(!server.clientLines().contains { $0.uppercased().hasPrefix("AUTH") })
    }

    // MARK: classification by code, enhanced code and text

    @Test(arguments: [
        ("greeting", "421 4.3.2 Service not available, closing transmission channel"),
        ("mail", "421 4.3.2 Service not available, closing transmission channel"),
        ("eod", "421 4.3.2 Service not available, closing transmission channel"),
    ])
    func a421IsAServiceUnavailableNotTheConcurrencyLimit(stage: String, reply: String) async throws {
        let server = try await SMTPTestServer.hostile([HostileRule(stage, reply)])
        defer { server.stop() }
        let attempt = try await send(server)
        #expect(attempt.result.failure?.reason == "smtp_transient", "at \(stage)")
        #expect(attempt.result.failure?.detail?.contains("Service not available") == true)
    }

    @Test func exchangesConcurrencyLimitIsStillNamed() async throws {
        let server = try await SMTPTestServer.hostile([
            HostileRule("mail", "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=TEST.local]"),
        ])
        defer { server.stop() }
        #expect(try await send(server).result.failure?.reason == "concurrency_limit")
    }

    @Test func implicitTLSAgainstAStartTLSPortSaysTheModeMustMatchThePort() async throws {
        let server = try await SMTPTestServer.hostile()
        defer { server.stop() }
        let attempt = try await send(server, config: server.smtpConfig(tls: .implicit))
        let failure = try #require(attempt.result.failure)
        #expect(failure.reason == "tls_handshake")
        #expect(failure.fix.contains("smtp.tls must match the port"))
    }

    @Test func startTLSAgainstAnImplicitTLSPortSaysTheModeMustMatchThePort() async throws {
        let server = try await SMTPTestServer.hostile(flags: ["--implicit"])
        defer { server.stop() }
        let attempt = try await send(server, config: server.smtpConfig(connectTimeout: 2))
        let failure = try #require(attempt.result.failure)
        #expect(failure.reason == "smtp_no_greeting")
        #expect(failure.fix.contains("smtp.tls must match the port"))
    }

    @Test func anEndlessReplyIsCutOffAndClassified() async throws {
        // 20 MB of "250-…" continuation lines: libcurl stops reading past 300 KB of reply (curl 56), nothing is kept.
        let server = try await SMTPTestServer.hostile([HostileRule("ehlo", "HUGE 20000000")])
        defer { server.stop() }
        let attempt = try await send(server)
        let failure = try #require(attempt.result.failure)
        #expect(failure.reason == "smtp_transient", "\(failure)")
        #expect((failure.detail ?? "").utf8.count < 2_000, "the detail does not carry the flood")
        #expect(server.acceptedMessages().isEmpty)
    }
}
