import Foundation
import Testing
@testable import SecretWatchCore
@testable import SecretWatchCurl

/// The reason table and its classification of replies and curl codes (rows that a local server cannot produce).
@Suite("SMTP classification")
struct SMTPClassifierTests {
    @Test(arguments: [
        ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", "AUTH", "smtp_auth_disabled"),
        ("535 5.7.3 Authentication unsuccessful [AM0PR]", "AUTH", "smtp_auth_rejected"),
        ("550 5.7.60 SMTP; Client does not have permissions to send as this sender", "MAIL", "send_as_denied"),
        ("554 5.2.252 SendAsDenied; not allowed to send as", "END-OF-DATA", "send_as_denied"),
        ("530 5.7.57 Client not authenticated to send mail", "MAIL", "not_authenticated"),
        ("432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", "MAIL", "concurrency_limit"),
        ("432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending", "GREETING", "concurrency_limit"),
        ("421 4.3.2 Service not available, closing transmission channel", "GREETING", "smtp_transient"),
        ("421 4.3.2 Service not available, closing transmission channel", "END-OF-DATA", "smtp_transient"),
        ("451 4.3.2 System not accepting network messages", "MAIL", "smtp_transient"),
        ("451 4.4.0 Message delayed", "END-OF-DATA", "smtp_transient"),
        ("535 5.7.8 Error: authentication failed", "AUTH", "smtp_auth_rejected"),
        ("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", "END-OF-DATA", "quota_exceeded"),
        ("550 5.1.90 Your message can't be sent because you've reached your daily limit", "END-OF-DATA", "quota_exceeded"),
        ("550 5.2.254 Sender throttled", "MAIL", "sender_throttled"),
        ("550 5.7.708 Service unavailable. Access denied", "MAIL", "tenant_blocked"),
        ("451 4.7.500 Server busy, please try again later", "MAIL", "tenant_blocked"),
        ("421 4.7.66 TLS 1.0 and 1.1 are not supported", "EHLO", "tls_version"),
        ("550 5.1.1 RESOLVER.ADR.RecipNotFound", "RCPT", "recipient_rejected"),
        ("452 4.5.3 Too many recipients", "END-OF-DATA", "smtp_transient"),
        ("554 5.6.0 Corrupt message content", "END-OF-DATA", "smtp_permanent"),
    ])
    func replies(line: String, verb: String, reason: String) throws {
        let reply = try #require(SMTPReply(line))
        #expect(SMTPClassifier.reason(for: reply, at: verb).rawValue == reason)
    }

    @Test func replyParsing() throws {
        let r = try #require(SMTPReply("250-AUTH LOGIN XOAUTH2"))
        #expect(r.code == 250 && r.continues && r.enhancedCode == nil)
        let e = try #require(SMTPReply("535 5.7.3 Authentication unsuccessful"))
        #expect(e.code == 535 && !e.continues && e.enhancedCode == "5.7.3")
        #expect(SMTPReply("hello") == nil)
    }

    @Test(arguments: [
        (CurlCode.couldntResolveHost, "", false, false, "dns_failure"),
        (.couldntConnect, "", false, false, "connect_refused"),
        (.couldntConnect, "", false, true, "proxy_error"),
        (.recvError, "Received HTTP code 407 from proxy after CONNECT", false, true, "proxy_error"),
        (.operationTimedOut, "", false, false, "connect_timeout"),
        (.operationTimedOut, "", true, false, "smtp_timeout"),
        (.useSSLFailed, "", true, false, "starttls_unavailable"),
        (.peerFailedVerification, "SSL certificate problem: unable to get local issuer certificate", true, false, "tls_untrusted"),
        (.peerFailedVerification, "SSL: no alternative certificate subject name matches target host name 'x'", true, false, "tls_hostname_mismatch"),
        (.sslCACertBadFile, "error setting certificate file: /nope", false, false, "tls_ca_file"),
        (.sslConnectError, "error:0A00042E:SSL routines::tlsv1 alert protocol version", true, false, "tls_version"),
        (.sslConnectError, "error:0A00010B:SSL routines::wrong version number", true, false, "tls_handshake"),
        (.sslConnectError, "error:0A000410:SSL routines::sslv3 alert handshake failure", true, false, "tls_handshake"),
    ])
    func curlCodes(code: CurlCode, text: String, answered: Bool, proxy: Bool, reason: String) {
        let response = CurlResponse(code: code, codeText: "", errorText: text, responseCode: 0, body: Data(), headerLines: [],
                                    responseTooLarge: false, connected: answered, totalTime: 0, connectTime: 0, trace: [])
        #expect(SMTPClassifier.curlReason(response, answered: answered, proxyConfigured: proxy).rawValue == reason)
    }

    @Test func everyReasonIsUniqueSnakeCaseAndHasAFix() {
        let reasons = SMTPFailureReason.allCases.map(\.rawValue)
        #expect(Set(reasons).count == reasons.count)
        for r in SMTPFailureReason.allCases {
            #expect(r.rawValue.allSatisfy { $0.isLowercase || $0 == "_" }, "\(r.rawValue)")
            #expect(!r.message.isEmpty && !r.fix.isEmpty)
        }
        for required in ["smtp_auth_disabled", "smtp_auth_rejected", "send_as_denied", "not_authenticated", "concurrency_limit",
                         "quota_exceeded", "sender_throttled", "tenant_blocked", "recipient_rejected", "smtp_transient",
                         "smtp_permanent", "starttls_unavailable", "tls_untrusted", "tls_hostname_mismatch", "tls_version",
                         "connect_timeout", "connect_refused", "dns_failure", "proxy_error"] {
            #expect(SMTPFailureReason.named(required) != nil, "\(required) missing")
        }
    }

    @Test func everyReasonIsDocumentedInTroubleshooting() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/troubleshooting.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for r in SMTPFailureReason.allCases {
            #expect(text.contains("| `\(r.rawValue)` | \(r.signature) | \(r.message) | \(r.fix) |"),
                    "docs/troubleshooting.md has no row for \(r.rawValue) with its signature, message and fix")
        }
    }

    @Test func traceBecomesAnExchangeWithoutSecrets() {
        let lines: [(CurlResponse.TraceLine.Kind, String)] = [
            (.received, "220 mx ready"), (.sent, "EHLO me"), (.received, "250-mx"), (.received, "250 STARTTLS"),
            (.sent, "STARTTLS"), (.received, "220 go"), (.sent, "EHLO me"), (.received, "250-mx"), (.received, "250 AUTH XOAUTH2"),
            (.sent, "AUTH XOAUTH2"), (.received, "334 "), (.sent, Redactor.mask), (.received, "235 2.7.0 ok"),
            (.sent, "MAIL FROM:<a@b.example>"), (.received, "250 ok"), (.sent, "RCPT TO:<c@d.example>"), (.received, "250 ok"),
            (.sent, "RCPT TO:<e@f.example>"), (.received, "550 5.1.1 unknown"), (.sent, "DATA"), (.received, "354 go"),
            (.received, "250 2.6.0 queued"),
        ]
        let trace = lines.enumerated().map { CurlResponse.TraceLine(kind: $1.0, text: $1.1, at: Double($0)) }
        let exchange = SMTPExchange(trace: trace)
        #expect(exchange.steps.map(\.verb) == ["GREETING", "EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "RCPT", "DATA", "END-OF-DATA"])
        #expect(exchange.step("AUTH")?.finalReply?.code == 235)
        #expect(exchange.recipientSteps.map(\.argument) == ["c@d.example", "e@f.example"])
        #expect(exchange.firstFailure == nil)
    }
}
