import Foundation
import Testing
@testable import SecretWatchCore

/// `/api/v1/alarms`, `/api/v1/alarms/{id}` and the acknowledgement endpoint.
@Suite struct AlarmAPITests {
    private func ids(_ r: TestResponse) throws -> [Int64] {
        try #require(r.status == 200, "\(r.text)")
        let alarms = try #require(try r.json()["alarms"] as? [[String: Any]])
        return alarms.map { ($0["id"] as! NSNumber).int64Value }
    }

    @Test func listsNewestFirstAndPagesWithACursor() throws {
        let s = try TestServer()
        try s.seedStandard()
        let all = try s.store.alarms(AlarmFilter(limit: 100)).map(\.id)
        #expect(all.count == 4)
        #expect(try ids(s.get("/api/v1/alarms")) == all)
        var collected: [Int64] = []
        var path = "/api/v1/alarms?limit=3"
        var pages = 0
        while true {
            let r = try s.get(path)
            collected += try ids(r)
            pages += 1
            guard let next = try r.json()["next_cursor"] as? String else {
                #expect(try r.json()["next_cursor"] is NSNull)
                break
            }
            path = "/api/v1/alarms?limit=3&cursor=\(next)"
        }
        #expect(pages == 2)
        #expect(collected == all)
        #expect(collected == collected.sorted(by: >))
    }

    @Test func filtersByStateKindCredentialAndTime() throws {
        let s = try TestServer()
        try s.seedStandard()
        let early = s.clock.now()
        s.clock.advance(by: 86400)
        let later = s.credential("foxtrot", expiresInDays: 2, client: 7)
        try s.store.syncCredentials(try s.store.credentials().map(\.credential) + [later], now: s.clock.now())
        try ExpiryEvaluator(engine: s.engine, policy: s.policy).evaluate(now: s.clock.now())
        let byName = { (name: String) in try s.store.alarms(AlarmFilter(credential: name, limit: 10)).map(\.id) }

        let active = try ids(s.get("/api/v1/alarms?state=active"))
        #expect(Set(active) == Set(try s.store.activeAlarms().map(\.id)))
        #expect(try ids(s.get("/api/v1/alarms?state=cleared")) == byName("echo"))
        #expect(try ids(s.get("/api/v1/alarms?kind=client_secret_expired")) == byName("charlie"))
        #expect(try ids(s.get("/api/v1/alarms?credential=alpha")) == byName("alpha"))
        #expect(try ids(s.get("/api/v1/alarms?credential=nobody")) == [])
        let cut = Timestamps.rfc3339(early.addingTimeInterval(3600))
        #expect(try ids(s.get("/api/v1/alarms?since=\(cut)")) == byName("foxtrot"))
        #expect(try ids(s.get("/api/v1/alarms?until=\(cut)&state=all")).count == 4)
        #expect(try ids(s.get("/api/v1/alarms?state=active&kind=client_secret_expiring&credential=bravo")) == byName("bravo"))
    }

    @Test func showsOneAlarmWithItsTimeline() throws {
        let s = try TestServer()
        try s.seedStandard()
        let echo = try #require(try s.store.alarms(AlarmFilter(credential: "echo")).first)
        let r = try s.get("/api/v1/alarms/\(echo.id)")
        #expect(r.status == 200)
        let body = try r.json()
        #expect(body["state"] as? String == "cleared")
        #expect(body["credential"] as? String == "echo")
        #expect(body["raised_at"] as? String == "2026-12-01T00:00:00Z")
        let events = try #require(body["events"] as? [[String: Any]])
        #expect(events.map { $0["type"] as? String } == ["raised", "cleared"])
        #expect(events.last?["at"] as? String == "2026-12-01T01:00:00Z")
        let missing = try s.get("/api/v1/alarms/9999")
        #expect(missing.status == 404)
        #expect(missing.errorMessage == "no alarm with id 9999")
    }

    @Test func acknowledgingNeedsTheBearerToken() throws {
        let s = try TestServer()
        try s.seedStandard()
        let alpha = try #require(try s.store.alarms(AlarmFilter(credential: "alpha")).first)
        let path = "/api/v1/alarms/\(alpha.id)/ack"
        let body = #"{"by": "alice", "comment": "rotating today"}"#

        let none = try s.post(path, json: body, token: nil)
        #expect(none.status == 401)
        #expect(none.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(none.errorMessage?.contains("needs an Authorization: Bearer <token> header") == true)
        for header in ["Basic YWxpY2U6cHc=", "Bearer", "Bearer a b", "token \(TestServer.token)"] {
            let malformed = try s.post(path, json: body, token: nil, headers: ["Authorization": header])
            #expect(malformed.status == 401, "\(header)")
            #expect(malformed.errorMessage?.contains("malformed Authorization header") == true, "\(header): \(malformed.text)")
        }
        for wrong in ["wrong-token", TestServer.token + "x", String(TestServer.token.dropLast())] {
            let r = try s.post(path, json: body, token: wrong)
            #expect(r.status == 403)
            #expect(r.errorMessage == "the API token is not valid")
        }
        #expect(try s.store.alarm(id: alpha.id)?.acknowledgedAt == nil)

        let ok = try s.post(path, json: body)
        #expect(ok.status == 200, "\(ok.text)")
        #expect(try ok.json()["result"] as? String == "acknowledged")
        let acked = try #require(try s.store.alarm(id: alpha.id))
        #expect(acked.acknowledgedBy == "alice")
        #expect(acked.acknowledgeComment == "rotating today")
        #expect(!ok.text.contains(TestServer.token))

        // Twice is harmless: the first acknowledgement stands.
        let again = try s.post(path, json: #"{"by": "bob"}"#)
        #expect(again.status == 200)
        #expect(try again.json()["result"] as? String == "already_acknowledged")
        #expect(try s.store.alarm(id: alpha.id)?.acknowledgedBy == "alice")
        #expect(try s.store.events(alarmId: alpha.id).filter { $0.type == .acknowledged }.count == 1)
    }

    @Test func acknowledgingAClearedOrMissingAlarmIsRefused() throws {
        let s = try TestServer()
        try s.seedStandard()
        let echo = try #require(try s.store.alarms(AlarmFilter(credential: "echo")).first)
        let cleared = try s.post("/api/v1/alarms/\(echo.id)/ack", json: #"{"by": "alice"}"#)
        #expect(cleared.status == 409)
        #expect(cleared.errorMessage == "alarm \(echo.id) is cleared; only active alarms can be acknowledged")
        let missing = try s.post("/api/v1/alarms/777/ack", json: #"{"by": "alice"}"#)
        #expect(missing.status == 404)
    }

    @Test(arguments: [
        ("", "missing JSON body"),
        ("{by: alice}", "body is not valid JSON"),
        ("[1, 2]", "body must be a JSON object"),
        (#"{"comment": "x"}"#, #"field "by" is required"#),
        (#"{"by": 42}"#, #"field "by" must be a string"#),
        (#"{"by": "   "}"#, #"field "by" is empty"#),
        (#"{"by": "alice", "why": "x"}"#, #"unknown field "why" in body"#),
        (#"{"by": "alice", "comment": 5}"#, #"field "comment" must be a string"#),
        (#"{"by": "al\nice"}"#, #"field "by" contains a control character or line break (\u{A}); only tab is allowed"#),
        (#"{"by": "al\u001bice"}"#, #"field "by" contains a control character or line break (\u{1B})"#),
        (#"{"by": "alice", "comment": "\u001b]0;pwned\u0007\u001b[2J"}"#, #"field "comment" contains a control character or line break (\u{1B}); only tab is allowed"#),
        (#"{"by": "alice", "comment": "done\r\nts=2026-12-01 level=info msg=forged"}"#, #"field "comment" contains a control character or line break (\u{D})"#),
        (#"{"by": "alice", "comment": "cut\u0000here"}"#, #"field "comment" contains a control character or line break (\u{0})"#),
        (#"{"by": "alice", "comment": "c1\u009bcontrol"}"#, #"field "comment" contains a control character or line break (\u{9B})"#),
        (#"{"by": "alice", "comment": "line\u2028separator"}"#, #"field "comment" contains a control character or line break (\u{2028})"#),
    ])
    func badAckBodyIs400(body: String, expected: String) throws {
        let s = try TestServer()
        try s.seedStandard()
        let r = try s.post("/api/v1/alarms/1/ack", json: body)
        #expect(r.status == 400)
        #expect(r.errorMessage?.contains(expected) == true, "\(body): \(r.text)")
        #expect(try s.store.alarm(id: 1)?.acknowledgedAt == nil, "\(body) was acknowledged")
    }

    @Test func aTabInTheCommentIsKept() throws {
        let s = try TestServer()
        try s.seedStandard()
        let r = try s.post("/api/v1/alarms/1/ack", json: #"{"by": "alice", "comment": "step 1\tdone"}"#)
        #expect(r.status == 200, "\(r.text)")
        #expect(try s.store.alarm(id: 1)?.acknowledgeComment == "step 1\tdone")
    }

    @Test func withoutAConfiguredTokenAcknowledgingIsDisabled() throws {
        let s = try TestServer(token: nil)
        try s.seedStandard()
        let r = try s.post("/api/v1/alarms/1/ack", json: #"{"by": "alice"}"#, token: "anything")
        #expect(r.status == 403)
        #expect(r.errorMessage?.contains("configure http.api_token_file") == true)
    }

    @Test func anEmptyTokenFileIsRefusedNamingTheFile() throws {
        let dir = TemporaryDirectory()
        let path = try dir.write("api-token", "\n", mode: 0o600)
        #expect {
            try BearerAuth.load(path: path)
        } throws: { error in
            "\(error)" == "cannot read http.api_token_file \(path): the file is empty"
        }
    }

    @Test func aFIFOWhereTheTokenFileBelongsIsRefusedAtOnce() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("api-token")
        #expect(mkfifo(path, 0o600) == 0)
        #expect {
            try BearerAuth.load(path: path)
        } throws: { error in
            "\(error)" == "cannot read http.api_token_file \(path): \"\(path)\" is not a regular file (it is a FIFO)"
        }
    }

    @Test func authReadsPutsTheAPIBehindTheTokenButNotMetricsOrHealth() throws {
        let s = try TestServer(authReads: true)
        try s.seedStandard()
        for path in ["/api/v1/alarms", "/api/v1/alarms/1", "/api/v1/credentials", "/api/v1/deliveries"] {
            #expect(try s.get(path).status == 401, "\(path)")
            #expect(try s.get(path, headers: ["Authorization": "Bearer nope"]).status == 403, "\(path)")
            #expect(try s.get(path, headers: ["Authorization": "Bearer \(TestServer.token)"]).status == 200, "\(path)")
        }
        #expect(try s.get("/metrics").status == 200)
        #expect(try s.get("/healthz").status == 200)
    }
}
