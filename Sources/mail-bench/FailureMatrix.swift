import Foundation
import SecretWatchCore
import SecretWatchCurl
import Synchronization
import SecretWatchTesting

/// `mail-bench --matrix`: runs every failure case against the local stand-ins and prints what secretwatch
/// observed (reason, SMTP code, enhanced code, server reply), as a Markdown table.
struct FailureMatrix {
    var smtpPort: Int
    var noTLSPort: Int
    var blackholePort: Int
    var denyingProxyPort: Int
    var closedPort: Int
    var ca: String
    var goodToken: String

    static func smtp(host: String = "localhost", port: Int, ca: String?, proxy: String? = nil,
                     mailbox: String = "sender@contoso.example", connectTimeout: String = "5s") throws -> SMTPConfig {
        let yaml = """
            smtp:
              host: \(host)
              port: \(port)
              connect_timeout: \(connectTimeout)
            \(ca.map { "  ca_file: \($0)" } ?? "")
            \(proxy.map { "  proxy: \($0)" } ?? "")
              auth:
                mailbox: \(mailbox)
                tenant_id: 00000000-0000-0000-0000-000000000000
                client_id: 00000000-0000-0000-0000-000000000000
                client_secret_env: UNUSED
                secret_expires: 2099-01-01
            notifications:
              to: [admin1@contoso.example]
            """
        return try ConfigLoader(environment: [:], checkSecrets: false).parse(yaml, path: "/dev/null").config.smtp
    }

    func run() async throws {
        let ok = try Self.smtp(port: smtpPort, ca: ca)
        let admins = ["admin1@contoso.example", "admin2@contoso.example"]
        typealias Case = (String, SMTPConfig, [CurlOption], TestTokenProvider, String, [String])
        let expired = OperatorError(reason: "client_secret_expired", message: "client secret expired (AADSTS7000222)",
                                    fix: "create a new secret", transient: false)
        let cases: [Case] = [
            ("accepted", ok, [], TestTokenProvider([goodToken]), "sender@contoso.example", admins),
            ("535 5.7.3, then a fresh token", ok, [], TestTokenProvider(["stale-token-aaaa", goodToken]), "sender@contoso.example", admins),
            ("535 5.7.3 twice", ok, [], TestTokenProvider(["stale-token-aaaa", "stale-token-bbbb"]), "sender@contoso.example", admins),
            ("535 5.7.139", try Self.smtp(port: smtpPort, ca: ca, mailbox: "authdisabled@contoso.example"), [], TestTokenProvider([goodToken]), "sender@contoso.example", admins),
            ("550 5.7.60 at MAIL FROM", ok, [], TestTokenProvider([goodToken]), "sendas-denied@contoso.example", admins),
            ("554 5.2.252 after DATA", ok, [], TestTokenProvider([goodToken]), "sendas-data@contoso.example", admins),
            ("432 4.3.2 at MAIL FROM", ok, [], TestTokenProvider([goodToken]), "concurrency@contoso.example", admins),
            ("554 5.2.0 quota after DATA", ok, [], TestTokenProvider([goodToken]), "quota@contoso.example", admins),
            ("550 5.7.708 at MAIL FROM", ok, [], TestTokenProvider([goodToken]), "tenantblocked@contoso.example", admins),
            ("554 5.6.0 after DATA", ok, [], TestTokenProvider([goodToken]), "permanent@contoso.example", admins),
            ("1 of 3 recipients refused", ok, [], TestTokenProvider([goodToken]), "sender@contoso.example",
             ["admin1@contoso.example", "refused-x@contoso.example", "admin2@contoso.example"]),
            ("all recipients refused (550)", ok, [], TestTokenProvider([goodToken]), "sender@contoso.example", ["refused-x@contoso.example"]),
            ("all recipients deferred (451)", ok, [], TestTokenProvider([goodToken]), "sender@contoso.example", ["later-x@contoso.example"]),
            ("no STARTTLS offered", try Self.smtp(port: noTLSPort, ca: ca), [], TestTokenProvider([goodToken]), "sender@contoso.example", admins),
            ("untrusted certificate", try Self.smtp(port: smtpPort, ca: nil), [], TestTokenProvider([goodToken]), "sender@contoso.example", admins),
            ("host name mismatch", try Self.smtp(host: "mismatch.test", port: smtpPort, ca: ca),
             [.resolve(["mismatch.test:\(smtpPort):127.0.0.1"])], TestTokenProvider([goodToken]), "sender@contoso.example", admins),
            ("CA file missing", try Self.smtp(port: smtpPort, ca: "/nonexistent/ca.pem"), [], TestTokenProvider([goodToken]), "sender@contoso.example", admins),
            ("connect timeout (backlog full)", try Self.smtp(port: blackholePort, ca: ca, connectTimeout: "2s"), [], TestTokenProvider([goodToken]), "sender@contoso.example", admins),
            ("connection refused", try Self.smtp(port: closedPort, ca: ca), [], TestTokenProvider([goodToken]), "sender@contoso.example", admins),
            ("proxy answers 407", try Self.smtp(port: smtpPort, ca: ca, proxy: "http://127.0.0.1:\(denyingProxyPort)"), [], TestTokenProvider([goodToken]), "sender@contoso.example", admins),
            ("token request failed", ok, [], TestTokenProvider([goodToken], failure: expired), "sender@contoso.example", admins),
        ]
        print("| case | outcome | reason | SMTP | enhanced | tokens | server reply / detail | message |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for (name, config, options, tokens, from, to) in cases {
            let message = MailMessage(from: from, to: to, subject: "matrix: \(name)", body: "failure matrix\n", date: Date())
            let sender = SMTPSender(transport: SMTPTransport(config: config, extraOptions: options), tokens: tokens, credential: "smtp")
            let attempt = await sender.send(try message.rendered(), from: from, to: to)
            let r = attempt.result
            // What the outbox would do: retry with backoff, keep it queued behind an alarm, or fail it.
            let outcome: String
            if let failure = r.failure {
                switch SMTPFailureReason.named(failure.reason)?.disposition ?? (failure.transient ? .transient : .blocking) {
                case .transient: outcome = "deferred (backoff)"
                case .blocking: outcome = "blocked (queued, alarm)"
                case .permanent: outcome = "failed (alarm)"
                }
            } else {
                outcome = r.refused.isEmpty ? "sent" : "partial"
            }
            let reason = r.failure?.reason ?? (r.refused.isEmpty ? "-" : "recipient_rejected")
            let detail = (r.replyText ?? r.failure?.detail ?? "-").replacingOccurrences(of: "\n", with: " / ").replacingOccurrences(of: "|", with: "\\|")
            let text = r.failure.map { $0.message } ?? (r.refused.isEmpty ? "-" : SMTPFailureReason.named("recipient_rejected")!.message)
            print("| \(name) | \(outcome) | `\(reason)` | \(r.reply.map { String($0.code) } ?? "-") | \(r.reply?.enhancedCode ?? "-") | \(attempt.tokenRequests) | \(String(detail.prefix(110))) | \(text) |")
        }
    }
}
