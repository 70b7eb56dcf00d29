import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// The SMTP client against a real third-party XOAUTH2 server: Dovecot's submission service, validating JWT
/// bearer tokens itself and answering a refused one as RFC 7628 says (`334 <base64 JSON>`, then `535` once the
/// client has answered the challenge) — as Google does, and unlike Exchange, which answers `535` at once.
@Suite("SMTP XOAUTH2 against Dovecot submission")
struct DovecotXOAUTH2Tests {
    enum BadToken: String, CaseIterable, CustomTestStringConvertible {
        case expired, wrongKey
        var testDescription: String { rawValue }

        func mint(_ dovecot: DovecotSubmission) async throws -> String {
            switch self {
            case .expired: try await dovecot.token(expiresIn: -600)
            case .wrongKey: try await dovecot.token(wrongKey: true)
            }
        }

        /// Why Dovecot's log says it refused the token.
        var logged: String {
            switch self {
            case .expired: "Token has expired"
            case .wrongKey: "Incorrect JWT signature"
            }
        }
    }

    func send(_ dovecot: DovecotSubmission, _ message: MailMessage, tokens: TestTokenProvider) async throws -> SMTPSender.Attempt {
        let sender = SMTPSender(transport: SMTPTransport(config: dovecot.smtpConfig()), tokens: tokens, credential: "smtp")
        return await sender.send(try message.rendered(), from: message.from, to: message.to)
    }

    @Test func deliversWithAValidToken() async throws {
        try await DovecotSubmission.with { dovecot in
            let message = MailTestSupport.message(subject: "Secret expires in 7 days: ise-smtp")
            let tokens = TestTokenProvider([try await dovecot.token()])
            let attempt = try await send(dovecot, message, tokens: tokens)
            #expect(attempt.result.failure == nil)
            #expect(attempt.result.reply?.code == 250)
            #expect(attempt.tokenRequests == 1)
            let received = try dovecot.received()
            try #require(received.count == 1, "the sink behind Dovecot got \(received.count) messages")
            #expect(received[0].message_id == "<\(message.messageId)>")
            #expect(received[0].subject == message.subject)
            #expect(received[0].mail_from == "sender@contoso.example")
            #expect(received[0].rcpt_tos == ["admin1@contoso.example"])
            // Dovecot offers OAUTHBEARER too; the client must still use XOAUTH2 (the one Exchange offers).
            try await MailTestSupport.eventually("Dovecot logs the login with XOAUTH2") { dovecot.log().contains("method=XOAUTH2") }
        }
    }

    @Test func connectionTestAuthenticatesWithoutSendingMail() async throws {
        try await DovecotSubmission.with { dovecot in
            let tokens = TestTokenProvider([try await dovecot.token()])
            let stages = await SMTPConnectionTest(config: dovecot.smtpConfig(), tokens: tokens).run()
            #expect(stages.map(\.stage) == ["connect", "EHLO", "STARTTLS", "AUTH", "QUIT"])
            #expect(stages.allSatisfy { $0.ok }, "\(stages.map { $0.render() })")
            #expect(stages.first { $0.stage == "AUTH" }?.summary.contains("235") == true)
            #expect(try dovecot.received().isEmpty)
        }
    }

    /// The peer itself: a refused token gets RFC 7628's error challenge, for the reason the token was made for.
    @Test(arguments: BadToken.allCases)
    func aRefusedTokenGetsTheErrorChallenge(_ bad: BadToken) async throws {
        try await DovecotSubmission.with { dovecot in
            let token = AccessToken(value: try await bad.mint(dovecot), obtainedAt: Date(), expiresAt: Date().addingTimeInterval(3600))
            let transport = SMTPTransport(config: dovecot.smtpConfig())
            let outcome = await BlockingExecutor.run { transport.connectOnly(token: token) }
            let setup = try #require(outcome?.setup)
            #expect(setup.trace.contains { $0.kind == .sent && $0.text.hasPrefix("AUTH XOAUTH2") })
            let challenge = try #require(setup.trace.first { $0.kind == .received && $0.text.hasPrefix("334 ") && $0.text.count > 4 })
            let json = try #require(Data(base64Encoded: String(challenge.text.dropFirst(4))))
            let fields = try #require(try JSONSerialization.jsonObject(with: json) as? [String: String])
            #expect(fields == ["status": "401", "schemes": "bearer", "scope": "mail"])
            // Dovecot's log service writes the auth process's lines a little after the answer went out.
            try await MailTestSupport.eventually("Dovecot logs \"\(bad.logged)\"") { dovecot.log().contains(bad.logged) }
        }
    }

    @Test(arguments: BadToken.allCases)
    func aRefusedTokenIsReplacedOnceAndTheMessageDelivered(_ bad: BadToken) async throws {
        try await DovecotSubmission.with { dovecot in
            let message = MailTestSupport.message(subject: "after a refused token")
            let tokens = TestTokenProvider([try await bad.mint(dovecot), try await dovecot.token()])
            let attempt = try await send(dovecot, message, tokens: tokens)
            #expect(attempt.result.failure == nil, "\(String(describing: attempt.result.failure))")
            #expect(attempt.tokenRequests == 2)
            #expect(tokens.requests == 2)
            #expect(tokens.invalidations == 1)
            let received = try dovecot.received()
            #expect(received.map(\.message_id) == ["<\(message.messageId)>"], "delivered exactly once")
        }
    }

    @Test(arguments: BadToken.allCases)
    func onlyRefusedTokensIsAuthRejectedWithTheServersStatus(_ bad: BadToken) async throws {
        try await DovecotSubmission.with { dovecot in
            let first = try await bad.mint(dovecot), second = try await bad.mint(dovecot)
            let tokens = TestTokenProvider([first, second])
            let attempt = try await send(dovecot, MailTestSupport.message(), tokens: tokens)
            let failure = try #require(attempt.result.failure)
            #expect(failure.reason == "smtp_auth_rejected")
            #expect(!failure.transient)
            #expect(attempt.tokenRequests == 2)
            #expect(tokens.invalidations == 1)
            let detail = failure.detail ?? ""
            #expect(detail.contains("401"), "the decoded status: \(detail)")
            #expect(detail.range(of: #"scope\W+mail"#, options: .regularExpression) != nil, "the decoded scope: \(detail)")
            let shown = [detail, String(describing: failure), attempt.result.replyText ?? ""].joined(separator: "\n")
            for token in [first, second] {
                #expect(!shown.contains(token))
                #expect(!shown.contains(Self.authBlob(user: "sender@contoso.example", token: token)))
            }
            #expect(try dovecot.received().isEmpty)
        }
    }

    @Test func connectionTestReplacesARefusedTokenOnceThenReports() async throws {
        try await DovecotSubmission.with { dovecot in
            let retried = TestTokenProvider([try await dovecot.token(expiresIn: -600), try await dovecot.token()])
            let ok = await SMTPConnectionTest(config: dovecot.smtpConfig(), tokens: retried).run()
            #expect(ok.allSatisfy { $0.ok }, "\(ok.map { $0.render() })")
            #expect(ok.contains { $0.summary.contains("after one retry with a fresh token") })
            #expect(retried.invalidations == 1)
            let refused = TestTokenProvider([try await dovecot.token(expiresIn: -600), try await dovecot.token(wrongKey: true)])
            let bad = await SMTPConnectionTest(config: dovecot.smtpConfig(), tokens: refused).run()
            #expect(bad.last?.stage == "AUTH")
            #expect(bad.last?.failure?.reason == "smtp_auth_rejected")
            #expect(refused.invalidations == 1)
        }
    }

    /// The XOAUTH2 initial response as sent on the wire (base64 of `user=…^Aauth=Bearer …^A^A`).
    static func authBlob(user: String, token: String) -> String {
        Data("user=\(user)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8).base64EncodedString()
    }
}
