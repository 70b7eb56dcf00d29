import Foundation
import Testing
@testable import SecretWatchCore

/// `POST /api/v1/relay/{receiver}` through the real HTTP server: what each refusal answers, that a 200 means the
/// mail is in the outbox, and the de-duplication window.
@Suite struct RelayAPITests {
    typealias P = RelayPayloadSamples

    func server(_ relay: RelayConfig? = P.config()) throws -> TestServer {
        try TestServer(relay: relay, relayTokens: P.tokens)
    }

    func relay(_ s: TestServer, _ receiver: String = "ops", body: String = P.alertmanager(), token: String? = P.opsToken,
               contentType: String? = "application/json") throws -> TestResponse {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        if let contentType { headers["Content-Type"] = contentType }
        return try httpRequest(port: s.port, "POST", "/api/v1/relay/\(receiver)", headers: headers, body: Array(body.utf8))
    }

    func relayRows(_ s: TestServer) throws -> [OutboxMessage] {
        try s.store.outboxMessages(limit: 100).filter { $0.kind == .relay }
    }

    @Test func withoutARelaySectionEveryReceiverIs404() throws {
        let s = try server(nil)
        let r = try relay(s)
        #expect(r.status == 404)
        #expect(r.errorMessage == "relay is not configured (see docs/relay.md)")
        #expect(try relayRows(s).isEmpty)
    }

    @Test func anUnknownReceiverIs404AndOtherMethodsAre405() throws {
        let s = try server()
        let unknown = try relay(s, "nobody")
        #expect(unknown.status == 404 && unknown.errorMessage == "no relay receiver named \"nobody\"", "\(unknown.text)")
        let get = try s.get("/api/v1/relay/ops")
        #expect(get.status == 405)
        #expect(get.headers["allow"] == "POST")
        #expect(try relayRows(s).isEmpty)
    }

    @Test func aMissingOrWrongTokenIs401() throws {
        let s = try server()
        let missing = try relay(s, token: nil)
        #expect(missing.status == 401 && missing.headers["www-authenticate"] != nil, "\(missing.text)")
        let wrong = try relay(s, token: "ops-relay-token-0123456789abcdeX")
        #expect(wrong.status == 401 && wrong.errorMessage == "the relay token is not valid for this receiver", "\(wrong.text)")
        // Another receiver's token does not open this one.
        #expect(try relay(s, token: P.devToken).status == 401)
        #expect(!wrong.text.contains(P.opsToken) && !missing.text.contains(P.opsToken))
        #expect(try relayRows(s).isEmpty)
        s.metrics.flush()
        let text = try s.metrics.text()
        #expect(text.contains(#"secretwatch_relay_notifications_total{receiver="ops",status="unknown",outcome="rejected"} 3"#), "\(text)")
    }

    @Test func aOneMegabyteBodyIs413BeforeItIsRead() throws {
        let s = try server()
        // Announced by Content-Length to a client that waits for "100 Continue": the answer comes before a byte
        // of the body is sent.
        let connection = try TestConnection(port: s.port)
        try connection.send(Array(("POST /api/v1/relay/ops HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(P.opsToken)\r\n"
                                   + "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: \(1 << 20)\r\n\r\n").utf8))
        let announced = try connection.readResponse()
        #expect(announced.status == 413)
        #expect(announced.errorMessage == "request body larger than 262144 bytes")
        // Announced beyond what is worth reading (more than 8 MiB): answered at once too, whatever the client does.
        let absurd = try TestConnection(port: s.port)
        try absurd.send(Array(("POST /api/v1/relay/ops HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(P.opsToken)\r\n"
                               + "Content-Type: application/json\r\nContent-Length: \(1 << 30)\r\n\r\n").utf8))
        #expect(try absurd.readResponse().status == 413)
        // Sent chunked (no length announced): counted as it arrives and dropped, not gathered.
        let chunked = try TestConnection(port: s.port)
        var raw = "POST /api/v1/relay/ops HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(P.opsToken)\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        let chunk = "10000\r\n" + String(repeating: "y", count: 0x10000) + "\r\n"
        for _ in 0..<16 { raw += chunk }
        raw += "0\r\n\r\n"
        try? chunked.send(Array(raw.utf8))
        #expect(try chunked.readResponse().status == 413)
        #expect(try relayRows(s).isEmpty)
    }

    /// A client that sends its announced body at once, as most do (Alertmanager, curl under 1 MiB, Python):
    /// answering before the body has arrived and closing with its bytes unread would reset the connection, and
    /// the client would see "connection reset" or "broken pipe" instead of the 413. The body is read and dropped,
    /// then answered, and the connection stays usable.
    @Test(arguments: [300 * 1024, 4 << 20])
    func aClientSendingTheWholeOversizedBodyReadsThe413(size: Int) throws {
        let s = try server()
        let connection = try TestConnection(port: s.port)
        let head = "POST /api/v1/relay/ops HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(P.opsToken)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(size)\r\n\r\n"
        try connection.send(Array(head.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: size))
        let answer = try connection.readResponse()
        #expect(answer.status == 413)
        #expect(answer.errorMessage == "request body larger than 262144 bytes")
        #expect(try connection.request("GET", "/healthz").status == 200)
        #expect(try relayRows(s).isEmpty)
    }

    @Test func theRelayRouteTakesBodiesOverTheServersBoundWhileOtherRoutesKeepIt() throws {
        let s = try server()
        // 20 KB: over the server-wide bound of this test server (1 KiB), within relay.max_body_bytes.
        let body = P.alertmanager(alerts: 10, padding: 2_000)
        #expect(body.utf8.count > 20_000)
        let r = try relay(s, body: body)
        #expect(r.status == 200, "\(r.text)")
        let ack = try s.post("/api/v1/alarms/1/ack", json: body)
        #expect(ack.status == 413 && ack.errorMessage == "request body larger than 1024 bytes")
    }

    @Test func aBodyThatIsNotJSONIs415() throws {
        let s = try server()
        let text = try relay(s, contentType: "text/plain")
        #expect(try text.status == 415 && text.json()["code"] as? String == "unsupported_media_type", "\(text.text)")
        #expect(try relay(s, contentType: nil).status == 415)
        #expect(try relay(s, contentType: "application/json; charset=utf-8").status == 200)
    }

    @Test func anInvalidPayloadIs400NamingTheField() throws {
        let s = try server()
        let r = try relay(s, body: P.alertmanager(status: "burning"))
        #expect(r.status == 400)
        let message = try #require(r.errorMessage)
        #expect(message.hasPrefix("invalid notification: ") && message.contains("status"), "\(message)")
        #expect(try relay(s, body: "{not json").status == 400)
        #expect(try relayRows(s).isEmpty)
    }

    @Test func aNotificationIsQueuedOnceWithinTheWindowAndAgainAfterIt() throws {
        let s = try server()
        let first = try relay(s)
        #expect(first.status == 200, "\(first.text)")
        #expect(try first.json()["status"] as? String == "queued")
        let messageId = try #require(try first.json()["message_id"] as? String)
        var rows = try relayRows(s)
        #expect(rows.count == 1 && rows[0].messageId == messageId && rows[0].receiver == "ops")
        #expect(Set(rows[0].pendingRecipients).isSuperset(of: ["oncall@contoso.example"]))

        // Alertmanager's resend after a timeout: same notification, within the window.
        s.clock.advance(by: 9 * 60)
        let resend = try relay(s)
        #expect(resend.status == 200)
        #expect(try resend.json()["status"] as? String == "duplicate")
        #expect(try resend.json()["message_id"] as? String == messageId)
        #expect(try relayRows(s).count == 1)
        // The same group resolved is another notification.
        #expect(try relay(s, body: P.alertmanager(status: "resolved")).json()["status"] as? String == "queued")

        // After the window (counted from the first), the same notification is mailed again.
        s.clock.advance(by: 2 * 60)
        let later = try relay(s)
        #expect(try later.json()["status"] as? String == "queued")
        #expect(try later.json()["message_id"] as? String != messageId)
        rows = try relayRows(s)
        #expect(rows.count == 3 && rows.allSatisfy { $0.receiver == "ops" })

        s.metrics.flush()
        let text = try s.metrics.text()
        #expect(text.contains(#"secretwatch_relay_notifications_total{receiver="ops",status="firing",outcome="queued"} 2"#), "\(text)")
        #expect(text.contains(#"secretwatch_relay_notifications_total{receiver="ops",status="firing",outcome="duplicate"} 1"#))
        #expect(text.contains(#"secretwatch_relay_notifications_total{receiver="ops",status="resolved",outcome="queued"} 1"#))
    }

    @Test func theDailyRecipientCapKeepsTheRestOfTheQuotaForAlarmMail() throws {
        // ops mails 2 recipients (to and cc), dev 1; at most 5 relayed recipients in any 24 hours, all receivers.
        let s = try server(P.config(maxRecipientsPerDay: 5))
        #expect(try relay(s, body: P.alertmanager(groupKey: "{}:{g=\"1\"}")).json()["status"] as? String == "queued")
        s.clock.advance(by: 3600)
        #expect(try relay(s, body: P.alertmanager(groupKey: "{}:{g=\"2\"}")).json()["status"] as? String == "queued")
        let over = try relay(s, body: P.alertmanager(groupKey: "{}:{g=\"3\"}"))
        #expect(over.status == 429, "\(over.text)")
        #expect(try over.json()["code"] as? String == "relay_quota_reached")
        #expect(over.errorMessage?.contains("relay.max_recipients_per_day (5)") == true, "\(over.text)")
        // The first mail leaves the 24 hours 23 hours from now.
        #expect(over.headers.first { $0.key.lowercased() == "retry-after" }?.value == "82800", "\(over.headers)")
        #expect(try relayRows(s).count == 2)
        // One more recipient fits; a resend of a queued notification is still its duplicate, not a refusal.
        #expect(try relay(s, "dev", body: P.alertmanager(groupKey: "{}:{g=\"4\"}"), token: P.devToken).json()["status"] as? String == "queued")
        #expect(try relay(s, body: P.alertmanager(groupKey: "{}:{g=\"2\"}")).json()["status"] as? String == "duplicate")
        // Alarm mail is not counted and never refused by it.
        let alarm = MailMessage(from: "secretwatch@contoso.example", to: ["admin@contoso.example"], subject: "alarm", body: "x\n", date: s.clock.now())
        _ = try s.store.enqueue(alarm, kind: .alarm, at: s.clock.now())
        // Once the first mail is 24 hours old, its 2 recipients are free again.
        s.clock.advance(by: 23 * 3600)
        #expect(try relay(s, body: P.alertmanager(groupKey: "{}:{g=\"3\"}")).json()["status"] as? String == "queued")
        s.metrics.flush()
        #expect(try s.metrics.text().contains(#"secretwatch_relay_notifications_total{receiver="ops",status="firing",outcome="rejected"} 1"#))
    }

    @Test func aStoreThatCannotCommitAnswers503AndLeavesNothingBehind() async throws {
        let s = try server()
        // The key's row fails after the mail's rows were written in the same transaction: all of it rolls back.
        try await sqlite(s.store.path, "CREATE TRIGGER refuse BEFORE INSERT ON relay_notifications BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;")
        let r = try relay(s)
        #expect(r.status == 503, "\(r.text)")
        #expect(try r.json()["code"] as? String == "store_error")
        #expect(!r.text.contains("disk I/O error") && !r.text.contains("relay_notifications"), "no SQL in the answer")
        #expect(try s.store.outboxMessages(limit: 100).isEmpty)
        // Once the store takes writes again, the retry is queued (not a duplicate of a notification never stored).
        try await sqlite(s.store.path, "DROP TRIGGER refuse;")
        let retry = try relay(s)
        #expect(try retry.json()["status"] as? String == "queued")
        #expect(try relayRows(s).count == 1)
    }

    @Test func deliveryRowsCarryTheReceiverOfRelayMailAndNullOtherwise() throws {
        let s = try server()
        let messageId = try #require(try relay(s).json()["message_id"] as? String)
        let other = MailTestSupport.message(to: ["admin@contoso.example"], subject: "test", date: s.clock.now())
        try s.store.enqueue(other, kind: .test, at: s.clock.now())
        for id in [messageId, other.messageId] {
            try s.store.recordDelivery(Delivery(messageId: id, attemptedAt: s.clock.now(), duration: 0.2,
                                                recipients: ["oncall@contoso.example"], outcome: .sent))
        }
        let r = try s.get("/api/v1/deliveries")
        #expect(r.status == 200, "\(r.text)")
        let rows = try #require(try r.json()["deliveries"] as? [[String: Any]])
        #expect(rows.first { $0["message_id"] as? String == messageId }?["receiver"] as? String == "ops")
        let plain = try #require(rows.first { $0["message_id"] as? String == other.messageId })
        #expect(plain["receiver"] is NSNull, "receiver is present and null for other mail: \(plain)")
    }

    /// Runs SQL on the database through the sqlite3 shell (another connection, like an operator's).
    func sqlite(_ path: String, _ sql: String) async throws {
        let result = try await runProcess("/usr/bin/sqlite3", [path, sql])
        #expect(result.status == 0, "sqlite3 \(sql): \(result.stderr)")
    }
}
