import Foundation
import Testing
@testable import SecretWatchCore

/// The whole product as subprocesses: `secretwatch run` against `secretwatch-standins`, checked from the
/// outside (mail at the Exchange stand-in, the HTTP API, /metrics, the database, the CLI).
@Suite("End to end: the built daemon against the stand-ins", .serialized)
struct EndToEndTests {
    static func watched(_ name: String, expires: Date, client: String = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d") -> String {
        """
          - name: \(name)
            display_name: App \(name)
            tenant_id: \(EndToEndHarness.tenant)
            client_id: \(client)
            secret_expires: \(Timestamps.rfc3339(expires))
        """
    }

    /// Quoted-printable body lines joined back, so content checks read the text as written.
    static func decodedBody(_ message: String) -> String {
        guard let split = message.range(of: "\r\n\r\n") else { return "" }
        var body = String(message[split.upperBound...]).replacingOccurrences(of: "=\r\n", with: "")
        var bytes: [UInt8] = []
        var chars = Array(body.utf8)[...]
        while let c = chars.popFirst() {
            if c == UInt8(ascii: "="), chars.count >= 2, let v = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                chars = chars.dropFirst(2)
            } else {
                bytes.append(c)
            }
        }
        body = String(decoding: bytes, as: UTF8.self)
        return body
    }

    @Test("a secret crosses 30, 14, 7 and 1 days and expires in scaled time; each step is one e-mail; API, metrics and database agree")
    func thresholdsInScaledTime() async throws {
        // Tokens valid for over a year of scaled time, so passes do not each fetch one.
        let h = try EndToEndHarness(standInArguments: ["--token-lifetime", "40000000"])
        let now = Date()
        // 3 days per second; a pass every 6 scaled hours (the 1-day window sees several); no reminders meanwhile.
        try h.writeConfig(smtpExpires: now.addingTimeInterval(3650 * 86400),
                          credentials: Self.watched("portal", expires: now.addingTimeInterval(35 * 86400)),
                          interval: "6h", extra: "alarms:\n  renotify_interval: 52w")
        try await h.startDaemon(timeScale: 259_200)
        try await h.waitUntil("five alarm e-mails for portal") {
            h.receivedMail().filter { EndToEndHarness.subject($0.text).contains(": portal ") }.count >= 5
        }
        let mails = h.receivedMail().map(\.text).filter { EndToEndHarness.subject($0).contains(": portal ") }
        #expect(mails.map(EndToEndHarness.subject) == [
            "[secretwatch] WARNING client_secret_expiring: portal — SMTP OAuth client secret about to expire (RAISED)",
            "[secretwatch] WARNING client_secret_expiring: portal — SMTP OAuth client secret about to expire (ESCALATED)",
            "[secretwatch] CRITICAL client_secret_expiring: portal — SMTP OAuth client secret about to expire (ESCALATED)",
            "[secretwatch] CRITICAL client_secret_expiring: portal — SMTP OAuth client secret about to expire (ESCALATED)",
            "[secretwatch] CRITICAL client_secret_expired: portal — SMTP OAuth client secret has expired (RAISED)",
        ])
        let first = mails[0]
        #expect(EndToEndHarness.header("From", in: first)?.contains(EndToEndHarness.mailbox) == true)
        #expect(EndToEndHarness.header("To", in: first)?.contains(EndToEndHarness.admin) == true)
        #expect(EndToEndHarness.header("Message-ID", in: first) != nil)
        let body = Self.decodedBody(first)
        for expected in ["App portal", EndToEndHarness.tenant, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                         Timestamps.day(now.addingTimeInterval(35 * 86400)), "days left", "Certificates & secrets"] {
            #expect(body.contains(expected), "alarm mail body lacks \(expected):\n\(body)")
        }
        #expect(body.range(of: #"id: +\d+"#, options: .regularExpression) != nil, "no alarm id in:\n\(body)")
        #expect(body.contains("secretwatch ack "), "no acknowledge hint in:\n\(body)")

        // The API, the CLI (the database) and /metrics tell the same story.
        let api = try h.get("/api/v1/alarms?state=all&credential=portal").json()
        let apiAlarms = (api["alarms"] as? [[String: Any]]) ?? []
        let cli = try await runProcess(TestPaths.executable, ["alarms", "--database", h.databasePath, "--credential", "portal", "--json"])
        let cliAlarms = ((try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])?["alarms"] as? [[String: Any]]) ?? []
        #expect(apiAlarms.map { "\($0["id"]!) \($0["kind"]!) \($0["state"]!) \($0["severity"]!)" }
                == cliAlarms.map { "\($0["id"]!) \($0["kind"]!) \($0["state"]!) \($0["severity"]!)" })
        #expect(Set(apiAlarms.compactMap { $0["kind"] as? String }) == ["client_secret_expiring", "client_secret_expired"])
        // /metrics is re-rendered at most once a second: wait for the render that follows the last transition.
        let expiry = Int(Timestamps.parse(Timestamps.rfc3339(now.addingTimeInterval(35 * 86400)))!.timeIntervalSince1970)
        try await h.waitUntil("/metrics to show the expired alarm") {
            try h.get("/metrics").text.contains(#"secretwatch_active_alarms{kind="client_secret_expired",severity="critical",credential="portal"} 1"#)
        }
        let metrics = try h.get("/metrics").text
        let expiryLine = metrics.split(separator: "\n").first {
            $0.hasPrefix("secretwatch_client_secret_expiry_timestamp_seconds{") && $0.contains(#"credential="portal""#)
        }
        #expect(expiryLine?.hasSuffix(" \(expiry)") == true, "\(expiryLine ?? "no expiry line")")
        #expect(expiryLine?.contains(#"tenant_id="\#(EndToEndHarness.tenant)""#) == true)
        #expect(try await h.stopDaemon() == 0)
    }

    @Test("kill -9 during a burst of 200 alarm e-mails loses none; duplicates only for messages in flight")
    func killDuringBurst() async throws {
        let h = try EndToEndHarness()
        let now = Date()
        let credentials = (0..<200).map { Self.watched(String(format: "app-%03d", $0), expires: now.addingTimeInterval(5 * 86400)) }
        try h.writeConfig(smtpExpires: now.addingTimeInterval(3650 * 86400), credentials: credentials.joined(separator: "\n"),
                          interval: "1h")
        // Exchange-like latency at the end of DATA: 3 sessions then take about 10 s for the 200, whatever the
        // machine's speed, and the kill finds messages in flight (queued by the stand-in after the sender died).
        try h.control("/exchange/accept-delay", #"{"milliseconds":150}"#)
        try await h.startDaemon()
        try await h.waitUntil("the burst to start arriving") { h.receivedMail().count >= 20 }
        h.killDaemon()
        let beforeRestart = h.receivedMail().count
        #expect(beforeRestart < 200, "the burst finished before the kill; the test proved nothing")
        try h.control("/exchange/accept-delay", #"{"milliseconds":0}"#)
        try await h.startDaemon()
        try await h.waitUntil("all 200 alarm e-mails") {
            Set(h.receivedMail().compactMap { EndToEndHarness.header("Message-ID", in: $0.text) }).count >= 200
        }
        let ids = h.receivedMail().compactMap { EndToEndHarness.header("Message-ID", in: $0.text) }
        let unique = Set(ids)
        #expect(unique.count == 200)
        // At most the messages in flight at the kill (3 workers) arrive twice, with the same Message-ID.
        #expect(ids.count - unique.count <= 3, "\(ids.count - unique.count) duplicates")
        let credentialsMailed = Set(h.receivedMail().map { EndToEndHarness.subject($0.text) }.compactMap { $0.split(separator: ":").dropFirst().first })
        #expect(credentialsMailed.count == 200)
        #expect(try await h.stopDaemon() == 0)
    }

    @Test("the Exchange stand-in down for a while, then back: every queued e-mail is delivered")
    func smtpDownThenUp() async throws {
        let h = try EndToEndHarness()
        let now = Date()
        try h.control("/exchange/down")
        let credentials = (0..<5).map { Self.watched("down-\($0)", expires: now.addingTimeInterval(-86400)) }
        try h.writeConfig(smtpExpires: now.addingTimeInterval(3650 * 86400), credentials: credentials.joined(separator: "\n"))
        try await h.startDaemon()
        try await h.waitUntil("failed delivery attempts while the server is down") {
            let deliveries = try h.get("/api/v1/deliveries").json()["deliveries"] as? [[String: Any]] ?? []
            return deliveries.contains { ($0["reason"] as? String) == "connect_refused" }
        }
        #expect(h.receivedMail().isEmpty)
        try await h.waitUntil("/metrics to count the deferred sends") {
            try h.get("/metrics").text.contains(#"secretwatch_mail_sends_total{outcome="deferred",reason="connect_refused"}"#)
        }
        try h.control("/exchange/up")
        try await h.waitUntil("the 5 queued e-mails after the server came back") { h.receivedMail().count >= 5 }
        try await h.waitUntil("an empty outbox") {
            try h.get("/metrics").text.contains("\nsecretwatch_outbox_messages 0\n")
        }
        #expect(try await h.stopDaemon() == 0)
    }

    @Test("the token endpoint throttles, fails and answers garbage: classified, alarmed, no crash, healed")
    func tokenEndpointTrouble() async throws {
        let h = try EndToEndHarness()
        let now = Date()
        try h.writeConfig(smtpExpires: now.addingTimeInterval(3650 * 86400), interval: "1s",
                          extra: "alarms:\n  token_failures_before_alarm: 1")
        try h.control("/token/behaviour", #"{"behaviour":"throttled","retry_after":1}"#)
        // 20× faster: the token cache's backoff (30 s, doubling) passes in seconds.
        try await h.startDaemon(timeScale: 20)
        func lastReason() throws -> String? {
            let credentials = try h.get("/api/v1/credentials").json()["credentials"] as? [[String: Any]] ?? []
            let smtp = credentials.first { ($0["name"] as? String) == "smtp" }
            return (smtp?["last_token_attempt"] as? [String: Any])?["reason"] as? String
        }
        for (behaviour, reason) in [("throttled", "throttled"), ("unavailable", "idp_unavailable"), ("garbage", "idp_bad_response")] {
            try h.control("/token/behaviour", #"{"behaviour":"\#(behaviour)","retry_after":1}"#)
            try await h.waitUntil("a token attempt classified \(reason)") { try lastReason() == reason }
            // One active alarm throughout, its reason following the failures (an escalation event each time).
            try await h.waitUntil("the token alarm to say \(reason)") {
                let alarms = try h.get("/api/v1/alarms?state=active&kind=token_acquisition_failing").json()["alarms"] as? [[String: Any]] ?? []
                return alarms.count == 1 && (alarms.first?["reason"] as? String) == reason
            }
        }
        #expect(try h.get("/healthz").status == 200)
        try h.control("/token/behaviour", #"{"behaviour":"success"}"#)
        try await h.waitUntil("the token alarm to clear") {
            (try h.get("/api/v1/alarms?state=active&kind=token_acquisition_failing").json()["alarms"] as? [[String: Any]])?.isEmpty == true
        }
        let metrics = try h.get("/metrics").text
        for reason in ["throttled", "idp_unavailable", "idp_bad_response"] {
            #expect(metrics.contains(#"secretwatch_token_requests_total{credential="smtp",outcome="failure",reason="\#(reason)"}"#))
        }
        #expect(try await h.stopDaemon() == 0)
    }

    @Test("SIGHUP with a new expiry date (rotation) clears the alarms and sends the cleared e-mail")
    func rotationByReload() async throws {
        let h = try EndToEndHarness()
        let now = Date()
        try h.writeConfig(smtpExpires: now.addingTimeInterval(3650 * 86400),
                          credentials: Self.watched("rotating", expires: now.addingTimeInterval(3 * 86400)))
        try await h.startDaemon()
        try await h.waitUntil("the expiring alarm's e-mail") {
            h.receivedMail().contains { EndToEndHarness.subject($0.text).contains("client_secret_expiring: rotating") }
        }
        try h.writeConfig(smtpExpires: now.addingTimeInterval(3650 * 86400),
                          credentials: Self.watched("rotating", expires: now.addingTimeInterval(400 * 86400)))
        h.signalDaemon(SIGHUP)
        try await h.waitUntil("the cleared e-mail") {
            h.receivedMail().contains { EndToEndHarness.subject($0.text).hasPrefix("[secretwatch] CLEARED client_secret_expiring: rotating") }
        }
        let active = try h.get("/api/v1/alarms?state=active&credential=rotating").json()["alarms"] as? [[String: Any]] ?? []
        #expect(active.isEmpty)
        let cleared = try h.get("/api/v1/alarms?state=cleared&credential=rotating").json()["alarms"] as? [[String: Any]] ?? []
        let id = try #require(cleared.first?["id"] as? Int)
        let events = try h.get("/api/v1/alarms/\(id)").json()["events"] as? [[String: Any]] ?? []
        #expect(events.contains { ($0["type"] as? String) == "cleared" && (($0["detail"] as? String) ?? "").contains("secret rotated") })
        #expect(h.log.contains("configuration reload applied"))
        #expect(try await h.stopDaemon() == 0)
    }
}

@Suite("End to end: Prometheus scrapes the built daemon", .serialized)
struct EndToEndPrometheusTests {
    @Test("a real Prometheus scrapes the daemon binary: expiry, alarms and token health arrive; the expired alert fires")
    func prometheusScrapesTheDaemon() async throws {
        let h = try EndToEndHarness()
        let now = Date()
        try h.writeConfig(smtpExpires: now.addingTimeInterval(3650 * 86400),
                          credentials: EndToEndTests.watched("gone", expires: now.addingTimeInterval(-2 * 86400)))
        try await h.startDaemon()
        let prometheus = try PrometheusServer(target: "127.0.0.1:\(h.httpPort)", directory: h.dir.url.appendingPathComponent("prometheus"))
        defer { prometheus.stop() }
        let expiry = await PrometheusServer.eventually(60) {
            try prometheus.firstSample(#"secretwatch_client_secret_expiry_timestamp_seconds{credential="gone"}"#)
        }
        let sample = try #require(expiry, "never scraped; Prometheus log:\n\(prometheus.log)\ndaemon log:\n\(h.log.suffix(2000))")
        let value = ((sample["value"] as? [Any])?.last as? String).flatMap(Double.init)
        #expect(value == Timestamps.parse(Timestamps.rfc3339(now.addingTimeInterval(-2 * 86400)))?.timeIntervalSince1970)
        #expect(await PrometheusServer.eventually(30) {
            try prometheus.firstSample(#"secretwatch_active_alarms{kind="client_secret_expired",credential="gone"}"#)
        } != nil)
        #expect(await PrometheusServer.eventually(30) {
            try prometheus.firstSample(#"secretwatch_token_requests_total{credential="smtp",outcome="success"} > 0"#)
        } != nil)
        let alert = await PrometheusServer.eventually(60) { () throws -> [String: Any]? in
            try prometheus.alerts().first { ($0["labels"] as? [String: String])?["alertname"] == "SecretWatchClientSecretExpired" }
        }
        let raised = try #require(alert, "no expired alert; rules loaded? log:\n\(prometheus.log)")
        #expect(["pending", "firing"].contains(raised["state"] as? String ?? ""))
        #expect((raised["labels"] as? [String: String])?["credential"] == "gone")
        #expect(try await h.stopDaemon() == 0)
    }
}
