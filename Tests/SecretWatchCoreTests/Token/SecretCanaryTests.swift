import Foundation
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

/// A canary secret and canary tokens go through every token path (success, refusal, a portal page that quotes
/// the request, a malformed answer that carries a token, throttling, alarms); then every log line, every row of
/// every table, the telemetry, the status report and the CLI's output are searched for them.
@Suite("Secrets and tokens never leave the process")
struct SecretCanaryTests {
    static let secret = "CANARY+SECRET/e1f2=a3b4~c5d6"
    static let token = "CANARY-TOKEN-9a8b7c6d5e4f3a2b"
    /// Never turned into an `AccessToken`: only the pattern layer of the Redactor can catch it.
    static let strayToken = "CANARY-STRAY-TOKEN-0f1e2d3c"

    @Test func inProcessPaths() async throws {
        let h = try TokenHealthHarness(behaviour: .success(accessToken: Self.token, expiresIn: 3599), secret: Self.secret)
        defer { h.close() }
        try await h.pass()
        let issued = try await h.cache.token(for: "smtp")
        #expect(issued.value == Self.token) // the canary really flowed
        #expect(h.fixture.standIn.requests.first?.form["client_secret"] == Self.secret)
        await h.cache.invalidate(credential: "smtp", token: issued)

        h.fixture.standIn.enqueue(
            .captivePortal(echoRequest: true),
            .raw(status: 200, contentType: "application/json", body: #"{"token_type":"Bearer","access_token":"\#(Self.strayToken)"}"#),
            .throttled(retryAfterSeconds: 30))
        h.fixture.standIn.setBehaviour(.entraError(.invalidClientSecret))
        try await h.pass()
        for _ in 0..<5 { try await h.passAfterBackoff() }
        #expect(h.fixture.standIn.requestCount == 7)
        #expect(try h.alarms(.tokenAcquisitionFailing).first?.isActive == true)

        let portalLine = try #require(h.logs.lines.first { $0.contains("reason=idp_bad_response") && $0.contains("Guest Wi-Fi") })
        #expect(portalLine.contains("client_secret=[REDACTED]")) // the leak path was exercised

        var texts = h.logs.lines
        texts += try Self.dumpEveryTable(h.store)
        texts += h.telemetry.tokenAttempts.map { String(describing: $0) }
        let report = try StatusReport(store: h.store, now: h.clock.now())
        texts.append(try JSONOutput.string(report))
        texts.append(report.renderText())
        texts.append(String(describing: issued))
        Self.expectNoCanary(texts)
    }

    @Test func commandLineOutput() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: Self.token, expiresIn: 3599), secret: Self.secret)
        defer { f.close() }
        let smtp = try await SMTPTestServer.start(acceptedTokens: [Self.token])
        defer { smtp.stop() }
        let database = f.pki.directory + "/sw.db"
        let config = try CheckConnectConfig.write(in: f, database: database, smtp: smtp)
        var outputs: [SecretWatchCLI.Output] = []
        // `run --once` gets a short delivery deadline: the alarm mail the expired secret cannot send is retried
        // only within it.
        outputs.append(try await SecretWatchCLI.run(["check", "--config", config, "--connect"]))
        outputs.append(try await SecretWatchCLI.run(["run", "--once", "--config", config, "--log-level", "trace", "--deliver-timeout", "5s"]))
        f.standIn.setBehaviour(.captivePortal(echoRequest: true))
        outputs.append(try await SecretWatchCLI.run(["check", "--config", config, "--connect"]))
        f.standIn.setBehaviour(.raw(status: 200, contentType: "application/json", body: #"{"access_token":"\#(Self.strayToken)"}"#))
        outputs.append(try await SecretWatchCLI.run(["check", "--config", config, "--connect"]))
        f.standIn.setBehaviour(.entraError(.clientSecretExpired))
        outputs.append(try await SecretWatchCLI.run(["run", "--once", "--config", config, "--log-level", "trace", "--deliver-timeout", "5s"]))
        outputs.append(try await SecretWatchCLI.run(["status", "--config", config]))
        outputs.append(try await SecretWatchCLI.run(["status", "--config", config, "--json"]))
        outputs.append(try await SecretWatchCLI.run(["alarms", "--database", database]))
        #expect(outputs[0].status == 0 && outputs[2].status == 1 && outputs[3].status == 1, "\(outputs.map(\.all))")
        #expect(f.standIn.requestCount == 5)
        #expect(outputs[2].stdout.contains("client_secret=[REDACTED]"))
        #expect(outputs[7].stdout.contains("client_secret_expired"), "\(outputs[7].all)")
        Self.expectNoCanary(outputs.map(\.all) + (try Self.dumpEveryTable(try Store(path: database))))
    }

    @Test func anSMTPServerThatEchoesTheAUTHArgument() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: Self.token, expiresIn: 3599), secret: Self.secret)
        defer { f.close() }
        // Every AUTH is answered 535 with the client's argument repeated, whole and cut short.
        let smtp = try await SMTPTestServer.hostile([
            HostileRule("auth", "535 5.7.3 Authentication unsuccessful, you sent {arg} (first part: {arg_b64})"),
        ], acceptedTokens: [])
        defer { smtp.stop() }
        let database = f.pki.directory + "/sw.db"
        let config = try CheckConnectConfig.write(in: f, database: database, smtp: smtp)
        var outputs: [SecretWatchCLI.Output] = []
        outputs.append(try await SecretWatchCLI.run(["check", "--config", config, "--connect"]))
        outputs.append(try await SecretWatchCLI.run(["send-test", "--config", config, "--to", "you@contoso.com", "--log-level", "trace"]))
        outputs.append(try await SecretWatchCLI.run(["alarms", "--database", database, "--events"]))
        #expect(outputs[0].status == 1 && outputs[1].status == 1, "\(outputs.map(\.all))")
        #expect(outputs[1].all.contains("smtp_auth_rejected"), "\(outputs[1].all)")
        let echoed = smtp.clientLines().filter { $0.uppercased().hasPrefix("AUTH") }
        #expect(!echoed.isEmpty, "the echo path was exercised")
        let initial = Data("user=ise-alerts@contoso.com\u{1}auth=Bearer \(Self.token)\u{1}\u{1}".utf8).base64EncodedString()
        let texts = outputs.map(\.all) + (try Self.dumpEveryTable(try Store(path: database)))
        Self.expectNoCanary(texts)
        for text in texts {
            #expect(!text.contains(initial.prefix(32)), "the AUTH argument leaked: \(text)")
        }
    }

    static func expectNoCanary(_ texts: [String]) {
        for text in texts {
            #expect(!text.contains("CANARY"), "leaked: \(text)")
            #expect(!text.contains(TokenFormBody.escape(secret)))
        }
    }

    /// Every value of every row of every table, as text.
    static func dumpEveryTable(_ store: Store) throws -> [String] {
        try store.withRawConnection { db in
            let tables = try db.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0["name"].string }
            #expect(tables.contains("token_attempts") && tables.contains("alarm_events"))
            return try tables.flatMap { table in
                try db.query("SELECT * FROM \"\(table)\"").map { row in "\(table): " + row.values.map { "\($0)" }.joined(separator: " | ") }
            }
        }
    }
}
