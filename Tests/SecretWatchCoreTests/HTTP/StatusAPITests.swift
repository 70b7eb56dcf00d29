import Foundation
import Testing
@testable import SecretWatchCore
import SecretWatchHTTPServer

/// `/api/v1/credentials`, `/api/v1/deliveries`, `/readyz`, secrets never in answers, and concurrent use.
@Suite struct StatusAPITests {
    private func delivery(_ n: Int, at date: Date, outcome: Delivery.Outcome = .sent, reply: String? = nil) -> Delivery {
        Delivery(messageId: "<m\(n)@secretwatch>", attemptedAt: date, duration: 0.5, recipients: ["ops@contoso.example"],
                 outcome: outcome, reason: outcome == .sent ? nil : "auth_failed", smtpCode: outcome == .sent ? 250 : 535,
                 enhancedCode: outcome == .sent ? "2.0.0" : "5.7.3", reply: reply)
    }

    @Test func credentialsShowExpiryDaysLeftLastAttemptDeliveryAndAlarms() throws {
        let s = try TestServer()
        try s.seedStandard()
        try s.store.recordTokenAttempt(TokenAttempt(credential: "smtp", startedAt: s.clock.now(), duration: 0.4, outcome: .failure,
                                                    reason: "invalid_client_secret", httpStatus: 401, aadstsCode: 7000215,
                                                    message: "the client secret is wrong"))
        try s.store.recordDelivery(delivery(1, at: s.clock.now()))
        let r = try s.get("/api/v1/credentials")
        #expect(r.status == 200)
        let list = try #require(try r.json()["credentials"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as! String, $0) })
        #expect(byName.keys.sorted() == ["alpha", "bravo", "charlie", "delta", "echo", "smtp"])
        let alpha = try #require(byName["alpha"])
        #expect(alpha["days_left"] as? Int == 5)
        #expect(alpha["expires_at"] as? String == "2026-12-06T00:00:00Z")
        #expect(alpha["expired"] as? Bool == false)
        #expect((alpha["active_alarms"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["client_secret_expiring"])
        #expect(alpha["last_token_attempt"] is NSNull)
        #expect(alpha["last_delivery"] is NSNull)
        #expect(byName["charlie"]?["expired"] as? Bool == true)
        let smtp = try #require(byName["smtp"])
        let attempt = try #require(smtp["last_token_attempt"] as? [String: Any])
        #expect(attempt["outcome"] as? String == "failure")
        #expect(attempt["reason"] as? String == "invalid_client_secret")
        #expect(attempt["aadsts_code"] as? Int == 7000215)
        let last = try #require(smtp["last_delivery"] as? [String: Any])
        #expect(last["outcome"] as? String == "sent")
        #expect(last["attempted_at"] as? String == "2026-12-01T01:00:00Z")
    }

    @Test func deliveriesArePagedNewestFirst() throws {
        let s = try TestServer()
        for n in 1...5 { try s.store.recordDelivery(delivery(n, at: s.clock.now().addingTimeInterval(Double(n)), outcome: n == 3 ? .failed : .sent)) }
        var ids: [Int] = []
        var path = "/api/v1/deliveries?limit=2"
        for _ in 0..<5 {
            let body = try s.get(path).json()
            ids += (body["deliveries"] as! [[String: Any]]).map { $0["id"] as! Int }
            guard let next = body["next_cursor"] as? String else { break }
            path = "/api/v1/deliveries?limit=2&cursor=\(next)"
        }
        #expect(ids == [5, 4, 3, 2, 1])
        let third = try s.get("/api/v1/deliveries?limit=1&cursor=4").json()["deliveries"] as! [[String: Any]]
        #expect(third.first?["outcome"] as? String == "failed")
        #expect(third.first?["reason"] as? String == "auth_failed")
        #expect(third.first?["enhanced_code"] as? String == "5.7.3")
    }

    @Test func noAnswerContainsASecretOrTheAPIToken() throws {
        let s = try TestServer()
        try s.seedStandard()
        let secret = "Zq8~client-secret-value-\(UUID().uuidString)"
        Redactor.shared.register(secret)
        defer { Redactor.shared.forget(secret) }
        // A component that forgot to scrub: the answer still must not carry it.
        try s.store.withRawConnection { db in
            try db.run("INSERT INTO deliveries (message_id, attempted_at, duration_seconds, recipients, outcome, reply) VALUES ('<x>', 1, 0, 'a@b', 'failed', ?)",
                       ["535 5.7.3 auth failed for " + secret])
        }
        try s.store.recordTokenAttempt(TokenAttempt(credential: "smtp", startedAt: s.clock.now(), duration: 1, outcome: .failure,
                                                    reason: "invalid_client_secret", message: "client_secret=\(secret) refused"))
        let auth = ["Authorization": "Bearer \(TestServer.token)"]
        for path in ["/api/v1/credentials", "/api/v1/deliveries", "/api/v1/alarms", "/api/v1/alarms/1", "/metrics", "/readyz", "/nope"] {
            let r = try s.get(path, headers: auth)
            #expect(!r.text.contains(secret), "\(path) leaks the secret")
            #expect(!r.text.contains(TestServer.token), "\(path) leaks the API token")
        }
        #expect(try s.get("/api/v1/deliveries").text.contains("[REDACTED]"))
    }

    @Test func readyzNeedsARecentSchedulerPass() throws {
        let s = try TestServer(schedulerInterval: 60)
        let never = try s.get("/readyz")
        #expect(never.status == 503)
        #expect(never.errorMessage == "the scheduler has not completed a pass yet")
        s.recordPass()
        let ready = try s.get("/readyz")
        #expect(ready.status == 200)
        #expect(try ready.json()["status"] as? String == "ready")
        s.clock.advance(by: 121)
        let stale = try s.get("/readyz")
        #expect(stale.status == 503)
        #expect(stale.errorMessage == "the scheduler last ran at 2026-12-01T00:00:00Z, 2m1s ago (more than twice its interval of 1m)")
        #expect(try httpRequest(port: s.port, "HEAD", "/readyz").status == 503)
    }

    @Test(.enabled(if: SmallVolume.mountPermitted, SmallVolume.skipReason))
    func readyzAndMetricsShowADatabaseThatRefusesWrites() throws {
        let volume = try SmallVolume(size: "2m")
        defer { try? volume.unmount() }
        let s = try TestServer(schedulerInterval: 60, databaseDirectory: volume.directory)
        s.recordPass()
        #expect(try s.get("/readyz").status == 200)
        #expect(try s.metrics.text().contains("\nsecretwatch_store_failing 0\n"))

        try volume.fill()
        for _ in 0..<2 {
            #expect(throws: StoreError.self) { try s.store.recordDelivery(self.delivery(1, at: s.clock.now())) }
        }
        #expect(try s.get("/readyz").status == 200, "two failures are not persistent yet")
        #expect(throws: StoreError.self) { try s.store.recordDelivery(self.delivery(1, at: s.clock.now())) }
        let failing = try s.get("/readyz")
        #expect(failing.status == 503)
        let message = failing.errorMessage ?? failing.text
        #expect(message == "the database does not accept writes since 2026-12-01T00:00:00Z (disk_full: the file system that holds the database is full; 3 failed operation(s); the daemon log has the last error)", "\(message)")
        #expect(try failing.json()["code"] as? String == "store_error")
        #expect(!failing.text.contains("INSERT") && !failing.text.contains("SQLite"), "\(failing.text)")
        let text = try s.metrics.text()
        #expect(text.contains("\nsecretwatch_store_failing 1\n"))
        #expect(text.contains("\nsecretwatch_store_failures_total{reason=\"disk_full\"} 3\n"))
        #expect(text.contains("\nsecretwatch_store_failures_total{reason=\"io_error\"} 0\n"))

        try volume.free()
        try s.store.recordDelivery(delivery(2, at: s.clock.now()))
        #expect(try s.get("/readyz").status == 200)
        #expect(try s.metrics.text().contains("\nsecretwatch_store_failing 0\n"))
        #expect(try s.metrics.text().contains("\nsecretwatch_store_failures_total{reason=\"disk_full\"} 3\n"))
    }

    @Test func concurrentRequestsWhileTheSchedulerWrites() async throws {
        let s = try TestServer(limits: HTTPServerLimits(connectionLimit: 64, connectionTimeout: 20, threadPoolSize: 2, maxBodyBytes: 1024))
        let credentials = try s.seedStandard()
        let writer = Task.detached {
            // What a scheduler pass does, over and over: evaluations, token attempts, deliveries, telemetry.
            var n = 0
            while !Task.isCancelled && n < 400 {
                n += 1
                let now = s.clock.now().addingTimeInterval(Double(n))
                var changed = credentials
                changed[1] = s.credential("bravo", expiresInDays: n % 2 == 0 ? 20 : 400, client: 2)
                try s.store.syncCredentials(changed, now: now)
                try ExpiryEvaluator(engine: s.engine, policy: s.policy).evaluate(now: now)
                let attempt = TokenAttempt(credential: "smtp", startedAt: now, duration: 0.2, outcome: .success, expiresIn: 3599)
                try s.store.recordTokenAttempt(attempt)
                s.metrics.tokenAttempt(attempt)
                try s.store.recordDelivery(self.delivery(n, at: now))
                s.metrics.schedulerPass(startedAt: now, duration: 0.01, failingSteps: [])
                await Task.yield()
            }
        }
        let paths = ["/metrics", "/api/v1/alarms?limit=5", "/api/v1/credentials", "/api/v1/deliveries?limit=3", "/healthz"]
        let failures = await withTaskGroup(of: [String].self) { group in
            for worker in 0..<6 {
                group.addTask {
                    await Task.detached {
                        var problems: [String] = []
                        guard let connection = try? TestConnection(port: s.port) else { return ["worker \(worker) cannot connect"] }
                        for i in 0..<40 {
                            let path = paths[(worker + i) % paths.count]
                            do {
                                let r = try connection.request("GET", path)
                                if r.status != 200 { problems.append("\(path): \(r.status) \(r.text)") }
                                if path.hasPrefix("/api") { _ = try r.json() }
                            } catch {
                                problems.append("\(path): \(error)")
                            }
                        }
                        return problems
                    }.value
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        writer.cancel()
        try await writer.value
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }
}
