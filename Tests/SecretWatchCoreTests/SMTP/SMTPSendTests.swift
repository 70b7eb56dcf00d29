import Foundation
import Synchronization
import Testing
import SecretWatchTesting
@testable import SecretWatchCore
import SecretWatchCurl

/// The SMTP client against a real SMTP server (aiosmtpd) with STARTTLS required and XOAUTH2.
@Suite("SMTP sending against aiosmtpd")
struct SMTPSendTests {
    func send(_ server: SMTPTestServer, _ message: MailMessage, tokens: any TokenProvider = TestTokenProvider(),
              config: SMTPConfig? = nil, options: [CurlOption] = []) async throws -> SMTPSender.Attempt {
        let config = config ?? server.smtpConfig()
        let sender = SMTPSender(transport: SMTPTransport(config: config, extraOptions: options), tokens: tokens, credential: "smtp")
        return await sender.send(try message.rendered(), from: message.from, to: message.to)
    }

    @Test func deliversHeadersAndBodyIntact() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let subject = "Geheimnis läuft ab — 7 Tage übrig: ключ für ise-smtp 🔑 (a rather long subject to force several encoded words)"
        let body = "First line.\n.a line that starts with a dot\n..two dots\n.\nUmlauts: äöü ß, emoji 🔑, = sign, trailing space \n"
            + String(repeating: "x", count: 200) + "\nlast line"
        let message = MailTestSupport.message(to: ["admin1@contoso.example"], subject: subject, body: body)
        let attempt = try await send(server, message)
        #expect(attempt.result.failure == nil)
        #expect(attempt.result.reply?.code == 250)
        #expect(attempt.tokenRequests == 1)
        let received = try server.received()
        try #require(received.count == 1)
        let mail = received[0]
        #expect(mail.raw == (try message.rendered()), "the server must receive exactly the rendered bytes (dot lines intact)")
        #expect(mail.subject == subject)
        #expect(mail.body?.replacingOccurrences(of: "\r\n", with: "\n") == body + "\n")
        #expect(mail.message_id == "<\(message.messageId)>")
        #expect(mail.mail_from == "sender@contoso.example")
        #expect(mail.rcpt_tos == ["admin1@contoso.example"])
        #expect(mail.authenticated_as == "sender@contoso.example")
        for header in ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"] {
            #expect(mail.header_names.contains(header), "missing \(header)")
        }
        let rawText = String(decoding: mail.raw, as: UTF8.self)
        #expect(rawText.split(separator: "\r\n", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 78 })
        #expect(!rawText.contains(TestTokens.good))
    }

    @Test func refreshesTheTokenOnceAfter535() async throws {
        let server = try await SMTPTestServer.start(acceptedTokens: [TestTokens.good])
        defer { server.stop() }
        let tokens = TestTokenProvider([TestTokens.stale, TestTokens.good])
        let attempt = try await send(server, MailTestSupport.message(), tokens: tokens)
        #expect(attempt.result.failure == nil)
        #expect(attempt.retriedAfter535)
        #expect(attempt.tokenRequests == 2)
        #expect(tokens.invalidations == 1)
        #expect(try server.received().count == 1)
    }

    /// Collects a series' attempts and hands out the next messages.
    final class SeriesScript: Sendable {
        let state: Mutex<(queue: [SMTPSender.Outgoing], attempts: [SMTPSender.Attempt])>
        init(_ messages: [MailMessage]) throws {
            state = Mutex((try messages.map { SMTPSender.Outgoing(content: try $0.rendered(), from: $0.from, to: $0.to) }, []))
        }
        func first() -> SMTPSender.Outgoing { state.withLock { $0.queue.removeFirst() } }
        func next(_ attempt: SMTPSender.Attempt) -> SMTPSender.Outgoing? {
            state.withLock { s in
                s.attempts.append(attempt)
                return s.queue.isEmpty ? nil : s.queue.removeFirst()
            }
        }
        var attempts: [SMTPSender.Attempt] { state.withLock { $0.attempts } }
    }

    @Test func aSeriesReusesTheTokenAndTheSession() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let tokens = TestTokenProvider()
        let sender = SMTPSender(transport: SMTPTransport(config: server.smtpConfig()), tokens: tokens, credential: "smtp")
        let messages = (0..<4).map { MailTestSupport.message(subject: "series \($0)") }
        let script = try SeriesScript(messages)
        await sender.send(series: script.first()) { script.next($0) }
        let attempts = script.attempts
        #expect(attempts.count == 4, "next is called once per message")
        #expect(attempts.allSatisfy { $0.result.delivered && !$0.retriedAfter535 })
        #expect(attempts.map(\.tokenRequests) == [1, 0, 0, 0])
        #expect(tokens.requests == 1)
        #expect(try server.received().map(\.message_id) == messages.map { "<\($0.messageId)>" })
        #expect(try server.stats().connections == 1)
    }

    @Test func aSeriesRefreshesTheTokenAfter535AndGoesOn() async throws {
        let server = try await SMTPTestServer.start(acceptedTokens: [TestTokens.good])
        defer { server.stop() }
        let tokens = TestTokenProvider([TestTokens.stale, TestTokens.good])
        let sender = SMTPSender(transport: SMTPTransport(config: server.smtpConfig()), tokens: tokens, credential: "smtp")
        let script = try SeriesScript((0..<3).map { MailTestSupport.message(subject: "series \($0)") })
        await sender.send(series: script.first()) { script.next($0) }
        let attempts = script.attempts
        #expect(attempts.count == 3)
        #expect(attempts.allSatisfy { $0.result.delivered })
        #expect(attempts.map(\.retriedAfter535) == [true, false, false])
        #expect(tokens.invalidations == 1)
        #expect(try server.received().count == 3)
    }

    @Test func aSeriesAsksForATokenAgainWhenItsTokenNearsExpiry() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        // Tokens issued at the real time, judged on a clock two hours ahead: always about to expire.
        let tokens = TestTokenProvider()
        let sender = SMTPSender(transport: SMTPTransport(config: server.smtpConfig()), tokens: tokens, credential: "smtp",
                                clock: ManualClock(now: Date().addingTimeInterval(7200)))
        let script = try SeriesScript((0..<3).map { MailTestSupport.message(subject: "series \($0)") })
        await sender.send(series: script.first()) { script.next($0) }
        #expect(script.attempts.map(\.tokenRequests) == [1, 1, 1])
        #expect(try server.received().count == 3)
    }

    @Test func classifies535AfterTheRetryAsAuthRejected() async throws {
        let server = try await SMTPTestServer.start(acceptedTokens: [TestTokens.good])
        defer { server.stop() }
        let tokens = TestTokenProvider([TestTokens.stale, TestTokens.other])
        let attempt = try await send(server, MailTestSupport.message(), tokens: tokens)
        let failure = try #require(attempt.result.failure)
        #expect(failure.reason == "smtp_auth_rejected")
        #expect(!failure.transient)
        #expect(attempt.result.reply?.code == 535)
        #expect(attempt.result.reply?.enhancedCode == "5.7.3")
        #expect(attempt.result.replyText?.contains("5.7.3 Authentication unsuccessful") == true)
        #expect(attempt.tokenRequests == 2)
        #expect(!(attempt.result.replyText ?? "").contains(TestTokens.stale))
    }

    @Test func smtpAuthDisabledIsNotRetriedWithAnotherToken() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let tokens = TestTokenProvider()
        let attempt = try await send(server, MailTestSupport.message(), tokens: tokens,
                                     config: server.smtpConfig(mailbox: "authdisabled@contoso.example"))
        #expect(attempt.result.failure?.reason == "smtp_auth_disabled")
        #expect(attempt.result.reply?.enhancedCode == "5.7.139")
        #expect(attempt.tokenRequests == 1)
    }

    @Test(arguments: [
        ("sendas-denied@contoso.example", "send_as_denied", 550, "5.7.60"),
        ("sendas-data@contoso.example", "send_as_denied", 554, "5.2.252"),
        ("concurrency@contoso.example", "concurrency_limit", 432, "4.3.2"),
        ("quota@contoso.example", "quota_exceeded", 554, "5.2.0"),
        ("tenantblocked@contoso.example", "tenant_blocked", 550, "5.7.708"),
        ("permanent@contoso.example", "smtp_permanent", 554, "5.6.0"),
    ])
    func classifiesServerRefusals(from: String, reason: String, code: Int, enhanced: String) async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let attempt = try await send(server, MailTestSupport.message(from: from))
        #expect(attempt.result.failure?.reason == reason)
        #expect(attempt.result.reply?.code == code)
        #expect(attempt.result.reply?.enhancedCode == enhanced)
        #expect(attempt.result.failure?.transient == (reason == "concurrency_limit"))
        #expect(try server.received().isEmpty)
    }

    @Test func oneRefusedRecipientDoesNotStopTheOthers() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let to = ["admin1@contoso.example", "refused-nobody@contoso.example", "admin2@contoso.example"]
        let attempt = try await send(server, MailTestSupport.message(to: to))
        #expect(attempt.result.failure == nil)
        #expect(attempt.result.accepted == ["admin1@contoso.example", "admin2@contoso.example"])
        #expect(attempt.result.refused.map(\.address) == ["refused-nobody@contoso.example"])
        #expect(attempt.result.refused.first?.reply?.enhancedCode == "5.1.1")
        #expect(try server.received().first?.rcpt_tos == ["admin1@contoso.example", "admin2@contoso.example"])
    }

    @Test func allRecipientsRefusedIsRecipientRejected() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let attempt = try await send(server, MailTestSupport.message(to: ["refused-a@contoso.example", "refused-b@contoso.example"]))
        #expect(attempt.result.failure?.reason == "recipient_rejected")
        #expect(attempt.result.refused.count == 2)
    }

    @Test func refusesToAuthenticateWithoutSTARTTLS() async throws {
        let server = try await SMTPTestServer.start(flags: ["--no-tls"])
        defer { server.stop() }
        let attempt = try await send(server, MailTestSupport.message())
        #expect(attempt.result.failure?.reason == "starttls_unavailable")
        let stats = try server.stats()
        #expect(stats.auth_ok + stats.auth_failed == 0, "no AUTH may be sent over plaintext")
    }

    @Test func implicitTLS() async throws {
        let server = try await SMTPTestServer.start(flags: ["--implicit"])
        defer { server.stop() }
        let attempt = try await send(server, MailTestSupport.message(), config: server.smtpConfig(tls: .implicit))
        #expect(attempt.result.failure == nil)
        #expect(try server.received().count == 1)
    }

    @Test func untrustedCertificate() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let attempt = try await send(server, MailTestSupport.message(), config: server.smtpConfig(trustCA: false))
        #expect(attempt.result.failure?.reason == "tls_untrusted")
        #expect(try server.stats().auth_ok == 0)
    }

    @Test func hostNameMismatch() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let attempt = try await send(server, MailTestSupport.message(), config: server.smtpConfig(host: "mismatch.test"),
                                     options: [.resolve(["mismatch.test:\(server.port):127.0.0.1"])])
        #expect(attempt.result.failure?.reason == "tls_hostname_mismatch")
    }

    @Test func missingCAFile() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        var config = server.smtpConfig()
        config.caFile = server.directory.appendingPathComponent("no-such-ca.pem").path
        let attempt = try await send(server, MailTestSupport.message(), config: config)
        #expect(attempt.result.failure?.reason == "tls_ca_file")
    }

    @Test func connectTimeoutOnAFullBacklog() async throws {
        let server = try await SMTPTestServer.start(flags: ["--blackhole"])
        defer { server.stop() }
        let attempt = try await send(server, MailTestSupport.message(), config: server.smtpConfig(connectTimeout: 1))
        #expect(attempt.result.failure?.reason == "connect_timeout")
        #expect(attempt.result.failure?.transient == true)
    }

    @Test func throughAnHTTPConnectProxy() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let proxy = try await SMTPTestServer.start(script: "connect_proxy.py")
        defer { proxy.stop() }
        var config = server.smtpConfig()
        config.proxy = "http://127.0.0.1:\(proxy.port)"
        let attempt = try await send(server, MailTestSupport.message(), config: config)
        #expect(attempt.result.failure == nil)
        #expect(try server.received().count == 1)
        let stats = try JSONDecoder().decode([String: Int].self, from: Data(contentsOf: proxy.directory.appendingPathComponent("stats.json")))
        #expect(stats["connects"] == 1, "the SMTP session went through the tunnel")
    }

    @Test func proxyRefusingTheTunnel() async throws {
        let proxy = try await SMTPTestServer.start(flags: ["--deny"], script: "connect_proxy.py")
        defer { proxy.stop() }
        var config = MailTestSupport.smtpConfig(port: 587, caFile: nil)
        config.proxy = "http://127.0.0.1:\(proxy.port)"
        let sender = SMTPSender(transport: SMTPTransport(config: config), tokens: TestTokenProvider(), credential: "smtp")
        let attempt = await sender.send(try MailTestSupport.message().rendered(), from: "sender@contoso.example", to: ["a@contoso.example"])
        #expect(attempt.result.failure?.reason == "proxy_error")
        #expect(attempt.result.failure?.detail?.contains("407") == true)
    }

    @Test func connectRefused() async throws {
        let config = MailTestSupport.smtpConfig(port: MailTestSupport.closedPort(), caFile: nil)
        let sender = SMTPSender(transport: SMTPTransport(config: config), tokens: TestTokenProvider(), credential: "smtp")
        let attempt = await sender.send(try MailTestSupport.message().rendered(), from: "sender@contoso.example", to: ["a@contoso.example"])
        #expect(attempt.result.failure?.reason == "connect_refused")
    }

    @Test func tokenFailureKeepsTheProvidersReason() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let failure = OperatorError(reason: "client_secret_expired", message: "secret expired", fix: "rotate it", transient: false)
        let attempt = try await send(server, MailTestSupport.message(), tokens: TestTokenProvider(failure: failure))
        #expect(attempt.result.failure == failure)
        #expect(try server.stats().connections == 0)
    }

    @Test func theTokenCachesOwnFailureKeepsItsReasonAndFix() async throws {
        // The real cache throws a TokenFailure (not an OperatorError): the send must still say what Entra said.
        let h = try TokenHealthHarness(behaviour: .entraError(.invalidClientSecret))
        defer { h.close() }
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let attempt = try await send(server, MailTestSupport.message(), tokens: h.cache)
        let failure = try #require(attempt.result.failure)
        #expect(failure.reason == "invalid_client_secret")
        #expect(failure.fix == TokenFailureReason.invalidClientSecret.fix)
        #expect(!failure.fix.contains("token_acquisition_failing"))
        #expect(try server.stats().connections == 0)
    }
}
