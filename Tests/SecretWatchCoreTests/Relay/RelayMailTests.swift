import Foundation
import Testing
@testable import SecretWatchCore

/// The relayed e-mail: Alertmanager's subject forms, the content on-call people look for, escaping, and a MIME
/// structure any mail reader splits into the same text and HTML.
@Suite("Relay e-mail")
struct RelayMailTests {
    let date = Date(timeIntervalSince1970: 1_800_000_000)

    func render(_ n: RelayNotification, prefix: String? = nil, cc: [String] = []) -> MailMessage {
        RelayMail.render(n, receiver: "ops", from: "sender@contoso.example", to: ["oncall@contoso.example"], cc: cc,
                         subjectPrefix: prefix, date: date)
    }

    @Test func subjectsFollowAlertmanagersDefault() throws {
        let firing = try RelayFixtures.notification("alertmanager-firing.json")
        #expect(RelayMail.subject(firing, prefix: nil) == #"[FIRING:2] HighLatency (job="api" severity="page")"#)
        #expect(RelayMail.subject(firing, prefix: " [prod] ") == #"[prod] [FIRING:2] HighLatency (job="api" severity="page")"#)
        let resolved = try RelayFixtures.notification("alertmanager-resolved.json")
        #expect(RelayMail.subject(resolved, prefix: "[prod]") == #"[prod] [RESOLVED] HighLatency (job="api" severity="page")"#)
        var grouped = firing
        grouped.commonLabels = grouped.groupLabels
        #expect(RelayMail.subject(grouped, prefix: "") == "[FIRING:2] HighLatency", "no parenthesis without other common labels")
        let grafana = try RelayFixtures.notification("grafana-firing.json")
        #expect(RelayMail.subject(grafana, prefix: nil) == #"[FIRING:2] (team="blue")"#)
        var long = firing
        long.groupLabels = [("alertname", String(repeating: "x", count: 500))]
        #expect(RelayMail.subject(long, prefix: nil).count == RelayMail.subjectLimit)
        #expect(RelayMail.subject(long, prefix: nil).hasSuffix("..."))
    }

    @Test func textBodyHasEveryBlockAndLink() throws {
        let m = render(try RelayFixtures.notification("alertmanager-firing.json"))
        let body = m.body
        for needle in [
            "2 alerts firing, 1 alert resolved for receiver \"ops\" (Alertmanager receiver \"team-api\").",
            "Firing (2)\n==========\n", "Resolved (1)\n============\n",
            "Alert 1 of 2: HighLatency\n  Labels:\n    alertname = HighLatency\n    instance = api-1:9090\n",
            "  Summary: p99 latency above 500 ms on api-1:9090\n",
            "  Description: The 99th percentile latency of api-1:9090 has been 0.73 s for 10 minutes.\n    Check the database.\n",
            "  Annotations:\n    runbook_url = https://runbooks.example/HighLatency\n",
            "  Started: 2026-03-01 11:50:03 UTC\n",
            "  Started: 2026-03-01 11:20:03 UTC\n  Ended: 2026-03-01 11:58:33 UTC\n",
            "  Source: http://prometheus.example:9090/graph?g0.expr=histogram_quantile%280.99",
            "  Silence: http://alertmanager.example:9093/#/silences/new?filter=%7Balertname%3D%22HighLatency%22%2C"
                + "instance%3D%22api-1%3A9090%22%2Cjob%3D%22api%22%2Cseverity%3D%22page%22%7D\n",
            "\nAlertmanager: http://alertmanager.example:9093\n",
            "Relayed by secretwatch for receiver \"ops\".",
        ] {
            #expect(body.contains(needle), "body lacks: \(needle)")
        }
        #expect(!body.contains("Ends:") && !body.contains("Note:"), "firing alerts have no end; nothing was truncated")
        #expect(m.extraHeaders.map(\.0) == ["X-Secretwatch-Relay"] && m.extraHeaders.first?.1 == "ops")
    }

    @Test func truncatedAlertsAreNoted() throws {
        let m = render(try RelayFixtures.notification("alertmanager-truncated.json"))
        let note = "7 more alerts of this group were left out by Alertmanager (max_alerts); see them in Alertmanager."
        #expect(m.body.contains("Note: " + note))
        #expect(m.htmlBody?.contains(note) == true)
    }

    @Test func grafanaLinksAndValuesAreUsed() throws {
        let m = render(try RelayFixtures.notification("grafana-firing.json"))
        #expect(m.body.contains("  Silence: https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2"))
        #expect(!m.body.contains("/#/silences/new"), "Grafana's own silence page, not Alertmanager's")
        #expect(m.body.contains("  Dashboard: https://play.grafana.org/d/dashboard-uid\n  Panel: https://play.grafana.org/d/dashboard-uid?viewPanel=2\n"))
        #expect(m.body.contains("  Values: B=44.23943737541908, C=1\n") && m.body.contains("  Values: B=92.4, C=1\n"))
        #expect(m.body.contains("  Value: [ var='B' labels={zone=eu-1} value=92.4 ]"))
        #expect(m.body.contains("\nGrafana: https://play.grafana.org/\n"))
        let html = try #require(m.htmlBody)
        #expect(html.contains(#"<a href="https://play.grafana.org/alerting/silence/new?alertmanager=grafana&amp;matchers=alertname%3DT2"#))
        #expect(html.contains(#"<a href="https://play.grafana.org/d/dashboard-uid?viewPanel=2">Panel</a>"#))
    }

    func hostile() throws -> RelayNotification {
        var n = try RelayFixtures.notification("alertmanager-firing.json")
        n.groupLabels = [("alertname", "<script>alert(1)</script>\r\nBcc: thief@attacker.example")]
        n.alerts[0].labels.append(("zz", "a\"b'c&d\r\nSilence: http://evil.example/"))
        n.alerts[0].annotations = [("description", "line one\r\nline <b>two</b>"), ("summary", "<img src=x onerror=alert(1)>")]
        n.alerts[0].generatorURL = "javascript:alert(1)"
        return n
    }

    @Test func labelsCannotInjectHeadersOrLines() throws {
        let m = render(try hostile())
        let parsed = try ParsedMail(try m.rendered())
        #expect(!parsed.headers.map { $0.0.lowercased() }.contains("bcc"))
        #expect(parsed.header("Subject")?.contains("<script>alert(1)</script>  Bcc: thief@attacker.example") == true)
        #expect(try parsed.parts()[0].decodedQuotedPrintable() == m.body)
        let lines = m.body.components(separatedBy: "\n")
        #expect(!lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Silence: http://evil") },
                "a label value cannot start a line of its own")
        #expect(m.body.contains(#"    zz = a"b'c&d  Silence: http://evil.example/"#))
        #expect(m.body.contains("  Description: line one\n    line <b>two</b>\n"))
    }

    @Test func everyValueIsEscapedInTheHTML() throws {
        let m = render(try hostile())
        let html = try #require(m.htmlBody)
        #expect(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>two"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("a&quot;b&#39;c&amp;d  Silence: http://evil.example/"))
        #expect(html.contains("line one<br>\nline &lt;b&gt;two&lt;/b&gt;"))
        #expect(!html.contains("href=\"javascript"), "only http and https become links")
        #expect(html.contains("Source: javascript:alert(1)"))
        let decoded = try ParsedMail(try m.rendered()).parts()[1].decodedQuotedPrintable()
        #expect(decoded == html)
    }

    @Test func theMessageIsMultipartWithCcAndTheRelayHeader() throws {
        let m = render(try RelayFixtures.notification("alertmanager-firing.json"), prefix: "[prod]", cc: ["lead@contoso.example"])
        let data = try m.rendered()
        #expect(data.allSatisfy { $0 < 0x80 })
        let parsed = try ParsedMail(data)
        #expect(parsed.header("Subject") == #"[prod] [FIRING:2] HighLatency (job="api" severity="page")"#)
        #expect(parsed.header("Cc") == "lead@contoso.example" && parsed.header("To") == "oncall@contoso.example")
        #expect(parsed.header("X-Secretwatch-Relay") == "ops")
        #expect(parsed.header("Auto-Submitted") == "auto-generated")
        #expect(parsed.boundary == m.boundary)
        let parts = try parsed.parts()
        try #require(parts.count == 2)
        #expect(parts[0].header("Content-Type") == "text/plain; charset=utf-8")
        #expect(parts[1].header("Content-Type") == "text/html; charset=utf-8")
        #expect(try parts[0].decodedQuotedPrintable() == m.body)
        #expect(try parts[1].decodedQuotedPrintable() == m.htmlBody)
        #expect(m.envelopeRecipients == ["oncall@contoso.example", "lead@contoso.example"])
    }
}
