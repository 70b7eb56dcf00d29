import Foundation
import Testing
@testable import SecretWatchCore

/// The relay with the real thing: Debian's Alertmanager (driven by `amtool` and its API v2) sending its webhook
/// to the built `secretwatch run`, mail arriving at the Exchange stand-in.
@Suite("Relay: a real Alertmanager through the built daemon", .serialized,
       .enabled(if: AlertmanagerServer.isInstalled, AlertmanagerServer.skipReason))
struct AlertmanagerRelayTests {
    static let labels = ["instance=db1", "job=node", "severity=page"]

    static func queued(_ status: String, _ outcome: String) -> String {
        #"secretwatch_relay_notifications_total{receiver="ops",status="\#(status)",outcome="\#(outcome)"} 1"#
    }

    @Test("a firing alert, then its resolution: two e-mails with Alertmanager's subjects, the labels, annotations and links")
    func firingThenResolved() async throws {
        let r = try RelayHarness()
        try await r.h.startDaemon()
        let am = try await r.startAlertmanager()
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 60).rounded(.down))
        let alert = ["alertname=DiskFull"] + Self.labels
        let annotations = ["summary=Disk <95% full> & rising", "description=only 2 GiB left on /var"]
        let generator = "http://prometheus.test:9090/graph?g0.expr=disk_free"
        try await am.addAlert(alert, annotations: annotations, generatorURL: generator, start: start)

        try await r.h.waitUntil("the firing e-mail") { !r.mails("DiskFull").isEmpty }
        let firing = try #require(r.mails("DiskFull").first)
        #expect(EndToEndHarness.subject(firing) == #"[FIRING:1] DiskFull (instance="db1" job="node" severity="page")"#)
        #expect(EndToEndHarness.header("From", in: firing)?.contains(EndToEndHarness.mailbox) == true)
        #expect(EndToEndHarness.header("To", in: firing)?.contains(RelayHarness.oncall) == true)
        #expect(EndToEndHarness.header("Cc", in: firing)?.contains(RelayHarness.lead) == true)
        #expect(EndToEndHarness.header("Content-Type", in: firing)?.contains("multipart/alternative") == true)
        let body = EndToEndTests.decodedBody(firing)
        for expected in ["DiskFull", "instance", "db1", "job", "node", "severity", "page",
                         "Disk <95% full> & rising", "only 2 GiB left on /var", generator,
                         "http://alertmanager.test:\(am.port)/#/silences/new?filter=", "http://alertmanager.test:\(am.port)",
                         "text/plain", "text/html", "Disk &lt;95% full&gt; &amp; rising"] {
            #expect(body.contains(expected), "the firing e-mail lacks \(expected):\n\(body)")
        }
        #expect(!body.contains("<95% full> & rising</"), "unescaped annotation in the HTML part:\n\(body)")

        try await am.addAlert(alert, annotations: annotations, generatorURL: generator, start: start, end: Date())
        try await r.h.waitUntil("the resolved e-mail") { r.mails("[RESOLVED] DiskFull").count == 1 }
        let resolved = try #require(r.mails("[RESOLVED] DiskFull").first)
        #expect(EndToEndHarness.subject(resolved) == #"[RESOLVED] DiskFull (instance="db1" job="node" severity="page")"#)
        #expect(EndToEndTests.decodedBody(resolved).contains("only 2 GiB left on /var"))

        try await r.waitForEmptyOutbox()
        #expect(r.mails("DiskFull").count == 2)
        let deliveries = try r.h.get("/api/v1/deliveries").json()["deliveries"] as? [[String: Any]] ?? []
        #expect(deliveries.contains { ($0["receiver"] as? String) == "ops" }, "no delivery row tagged with the receiver: \(deliveries)")
        try await r.h.waitUntil("/metrics to count both notifications") {
            let text = try r.metrics()
            return text.contains(Self.queued("firing", "queued")) && text.contains(Self.queued("resolved", "queued"))
        }
        await r.stop()
    }

    @Test("an answer slower than Alertmanager's timeout: it sends the notification again, and one e-mail leaves")
    func slowAnswerIsRetriedIntoOneMail() async throws {
        let r = try RelayHarness()
        try await r.h.startDaemon()
        // Alertmanager 0.25 gives a notification 10 s (its minimum; the group interval is shorter): the proxy holds
        // the daemon's first answer for 12 s and then drops it, so Alertmanager fails it and sends it again.
        let proxy = try HoldingProxy(upstreamPort: r.h.httpPort, holdFirst: 12)
        defer { proxy.stop() }
        let am = try await r.startAlertmanager(url: "http://127.0.0.1:\(proxy.port)/api/v1/relay/ops")
        try await am.addAlert(["alertname=SlowAnswer"] + Self.labels, annotations: ["summary=retried"])

        try await r.h.waitUntil("Alertmanager's retry to be answered") { proxy.exchanges.count >= 2 }
        let exchanges = proxy.exchanges
        #expect(exchanges.map(\.status).prefix(2) == [200, 200], "\(exchanges)")
        #expect(exchanges[0].body.contains(#""status":"queued""#), "\(exchanges[0])")
        #expect(exchanges[1].body.contains(#""status":"duplicate""#), "\(exchanges[1])")
        let ids = exchanges.prefix(2).map { (try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["message_id"] as? String }
        #expect(ids[0] != nil && ids[0] == ids[1], "the retry names another message: \(ids)")
        #expect(try am.metric(AlertmanagerServer.webhookFailures) >= 1, "Alertmanager never saw the slow answer fail:\n\(am.log)")

        try await r.h.waitUntil("the e-mail") { !r.mails("SlowAnswer").isEmpty }
        try await r.waitForEmptyOutbox()
        #expect(r.mails("SlowAnswer").count == 1)
        try await r.h.waitUntil("/metrics to count the duplicate") {
            try r.metrics().contains(Self.queued("firing", "duplicate"))
        }
        await r.stop()
    }

    @Test("Alertmanager without the token: 401, its failure counted, no e-mail")
    func missingTokenIsRefused() async throws {
        let r = try RelayHarness()
        try await r.h.startDaemon()
        let am = try await r.startAlertmanager(credentialsFile: .some(nil))
        try await am.addAlert(["alertname=NoToken"] + Self.labels)
        let log = try await r.waitForAlertmanagerFailure(am)
        #expect(log.contains("401"), "Alertmanager's log does not show the 401:\n\(log.suffix(2000))")
        let direct = try r.h.post("/api/v1/relay/ops", json: #"{"version":"4"}"#)
        #expect(direct.status == 401, "\(direct.text)")
        #expect(r.h.receivedMail().isEmpty)
        #expect(try r.metrics().contains("\nsecretwatch_outbox_messages 0\n"))
        await r.stop()
    }

    @Test("Alertmanager with a wrong token: 401, its failure counted, no e-mail, the token in no log or metric")
    func wrongTokenIsRefused() async throws {
        let r = try RelayHarness()
        let wrong = "not-the-relay-token-8c3e51"
        try r.h.dir.write("wrong.token", wrong + "\n", mode: 0o600)
        try await r.h.startDaemon()
        let am = try await r.startAlertmanager(credentialsFile: .some(r.h.dir.file("wrong.token")))
        try await am.addAlert(["alertname=WrongToken"] + Self.labels)
        let log = try await r.waitForAlertmanagerFailure(am)
        #expect(log.contains("401"), "Alertmanager's log does not show the 401:\n\(log.suffix(2000))")
        let direct = try r.h.post("/api/v1/relay/ops", json: #"{"version":"4"}"#, token: wrong)
        #expect(direct.status == 401, "\(direct.text)")
        #expect(r.h.receivedMail().isEmpty)
        let metrics = try r.metrics()
        #expect(metrics.contains("\nsecretwatch_outbox_messages 0\n"))
        for text in [metrics, r.h.log, direct.text] {
            #expect(!text.contains(wrong) && !text.contains(RelayHarness.token))
        }
        await r.stop()
    }

    @Test("a notification of over 1 MB: 413, Alertmanager's failure counted, no e-mail, the daemon still serving")
    func oversizedPayloadIsRefused() async throws {
        let r = try RelayHarness()
        try await r.h.startDaemon()
        let am = try await r.startAlertmanager()
        // Ten alerts of one group with a 110 kB description each: Alertmanager's webhook body is over 1 MB.
        let description = String(repeating: "0123456789", count: 11_000)
        let alerts = (0..<10).map { i -> [String: Any] in
            ["labels": ["alertname": "HugePayload", "instance": "db\(i)", "job": "node", "severity": "page"],
             "annotations": ["summary": "huge \(i)", "description": description]]
        }
        try am.postAlerts(Array(try JSONSerialization.data(withJSONObject: alerts)))
        let log = try await r.waitForAlertmanagerFailure(am)
        #expect(log.contains("413"), "Alertmanager's log does not show the 413:\n\(log.suffix(2000))")

        let megabyte = "{\"pad\":\"" + String(repeating: "x", count: (1 << 20) - 10) + "\"}"
        let direct = try r.h.post("/api/v1/relay/ops", json: megabyte, token: RelayHarness.token)
        #expect(direct.status == 413, "\(direct.text)")
        #expect(try r.h.get("/healthz").status == 200)
        #expect(r.h.receivedMail().isEmpty)
        #expect(try r.metrics().contains("\nsecretwatch_outbox_messages 0\n"))
        await r.stop()
    }

    @Test("kill -9 right after the 200 while the mail server is down: after the restart the e-mail leaves exactly once")
    func killAfterTheAnswerLosesNothing() async throws {
        let r = try RelayHarness()
        try r.h.control("/exchange/down")
        try await r.h.startDaemon()
        let am = try await r.startAlertmanager()
        try await am.addAlert(["alertname=KilledAfterCommit"] + Self.labels, annotations: ["summary=survives kill -9"])
        // Alertmanager logs "Notify success" only after the daemon's 200.
        try await r.h.waitUntil("Alertmanager to be answered 200") { am.log.contains("Notify success") }
        r.h.killDaemon()
        #expect(r.h.receivedMail().isEmpty, "the mail left before the kill; the test proved nothing")
        #expect(try am.metric(AlertmanagerServer.webhookFailures) == 0)

        try r.h.control("/exchange/up")
        try await r.h.startDaemon()
        try await r.h.waitUntil("the e-mail after the restart") { !r.mails("KilledAfterCommit").isEmpty }
        try await r.waitForEmptyOutbox()
        #expect(r.mails("KilledAfterCommit").count == 1)
        #expect(r.mails("KilledAfterCommit").first.map(EndToEndHarness.subject)?.hasPrefix("[FIRING:1] KilledAfterCommit") == true)
        await r.stop()
    }
}
