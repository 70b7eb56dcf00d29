import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore
import SecretWatchCurl

/// The libcurl wrapper on SMTP: reply lines reach `headerLines` (a 535's text only arrives there), the trace
/// never holds the XOAUTH2 blob (also in the two-step form a real 2 KB token takes), and connect-only + QUIT.
@Suite("CurlEasy over SMTP")
struct CurlEasySMTPTests {
    func transfer(_ server: SMTPTestServer, bearer: String, connectOnly: Bool = false) throws -> CurlResponse {
        let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
        let transport = SMTPTransport(config: server.smtpConfig())
        try easy.set(transport.baseOptions())
        try easy.set([.xoauth2(user: "sender@contoso.example", bearer: bearer)])
        if connectOnly {
            try easy.set(.connectOnly)
        } else {
            try easy.set([.mailFrom("sender@contoso.example"), .mailRecipients(["admin1@contoso.example"]),
                          .upload(Data("Subject: x\r\n\r\nhi\r\n".utf8))])
        }
        try easy.enableTrace()
        return easy.perform()
    }

    @Test func a535ReachesTheHeaderLinesWithAnEmptyErrorBuffer() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let response = try transfer(server, bearer: "not-the-accepted-token-xyz")
        #expect(response.code == .loginDenied)
        #expect(response.responseCode == 535)
        #expect(response.headerLines.contains { $0.hasPrefix("535 5.7.3 Authentication unsuccessful") })
    }

    @Test func longTokensGoTwoStepAndNeverReachTheTrace() async throws {
        let token = String((0..<2000).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".randomElement()! })
        let server = try await SMTPTestServer.start(acceptedTokens: [token])
        defer { server.stop() }
        _ = AccessToken(value: token, obtainedAt: Date(), expiresAt: Date().addingTimeInterval(60)) // registers it, like the cache does
        let response = try transfer(server, bearer: token)
        #expect(response.ok)
        let blob = Data("user=sender@contoso.example\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8).base64EncodedString()
        let sent = response.trace.filter { $0.kind == .sent }.map(\.text)
        #expect(sent.contains("AUTH XOAUTH2"), "a 2 KB token is sent after a 334, not on the AUTH line")
        #expect(sent.contains(Redactor.mask))
        let all = response.trace.map(\.text).joined(separator: "\n")
        #expect(!all.contains(token) && !all.contains(String(blob.prefix(40))))
    }

    @Test func connectOnlyThenQuit() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let transport = SMTPTransport(config: server.smtpConfig())
        let token = AccessToken(value: TestTokens.good, obtainedAt: Date(), expiresAt: Date().addingTimeInterval(60))
        let result = try #require(transport.connectOnly(token: token))
        #expect(result.setup.code == .ok)
        #expect(result.quit?.last?.hasPrefix("221") == true)
        #expect(try server.stats().messages == 0)
    }
}
