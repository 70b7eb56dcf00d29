import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// `check --connect`'s SMTP stages against the real server: no mail is ever sent.
@Suite("SMTP connection test")
struct SMTPConnectionTestTests {
    @Test func everyStagePassesAndNoMailIsSent() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let stages = await SMTPConnectionTest(config: server.smtpConfig(), tokens: TestTokenProvider()).run()
        #expect(stages.map(\.stage) == ["connect", "EHLO", "STARTTLS", "AUTH", "QUIT"])
        #expect(stages.allSatisfy { $0.ok })
        #expect(stages[1].summary.contains("STARTTLS"))
        #expect(stages[3].summary.contains("235"))
        #expect(stages[4].summary.hasPrefix("221"))
        #expect(try server.stats().auth_ok == 1)
        #expect(try server.received().isEmpty)
        #expect(!stages.map { $0.render() }.joined().contains(TestTokens.good))
    }

    @Test func refusedTokenIsReplacedOnceThenReported() async throws {
        let server = try await SMTPTestServer.start(acceptedTokens: [TestTokens.good])
        defer { server.stop() }
        let ok = await SMTPConnectionTest(config: server.smtpConfig(), tokens: TestTokenProvider([TestTokens.stale, TestTokens.good])).run()
        #expect(ok.allSatisfy { $0.ok })
        #expect(ok.contains { $0.summary.contains("after one retry with a fresh token") })
        let bad = await SMTPConnectionTest(config: server.smtpConfig(), tokens: TestTokenProvider([TestTokens.stale, TestTokens.other])).run()
        #expect(bad.last?.stage == "AUTH")
        #expect(bad.last?.failure?.reason == "smtp_auth_rejected")
        #expect(bad.last?.render().contains("fix: grant Office 365 Exchange Online") == true)
    }

    @Test func missingSTARTTLSFailsAtThatStage() async throws {
        let server = try await SMTPTestServer.start(flags: ["--no-tls"])
        defer { server.stop() }
        let stages = await SMTPConnectionTest(config: server.smtpConfig(), tokens: TestTokenProvider()).run()
        #expect(stages.map(\.stage) == ["connect", "EHLO", "STARTTLS"])
        #expect(stages.last?.failure?.reason == "starttls_unavailable")
    }

    @Test func unreachableHostFailsAtConnect() async throws {
        let config = MailTestSupport.smtpConfig(port: MailTestSupport.closedPort(), caFile: nil)
        let stages = await SMTPConnectionTest(config: config, tokens: TestTokenProvider()).run()
        #expect(stages.map(\.stage) == ["connect"])
        #expect(stages[0].failure?.reason == "connect_refused")
    }

    @Test func aTokenFailureFromTheRealCacheKeepsItsReason() async throws {
        let h = try TokenHealthHarness(behaviour: .entraError(.invalidClientSecret))
        defer { h.close() }
        let config = MailTestSupport.smtpConfig(port: MailTestSupport.closedPort(), caFile: nil)
        let stages = await SMTPConnectionTest(config: config, tokens: h.cache).run()
        #expect(stages.first?.failure?.reason == "invalid_client_secret")
    }
}
