import Foundation
import Logging
import Testing
import SecretWatchStandIns
import SecretWatchTesting
@testable import SecretWatchCore

/// The daemon as `run` builds it: its pass probes the token, and the mailer's `daemon.tokens` shares that token.
@Suite("Daemon token wiring")
struct DaemonTokenTests {
    @Test func passProbesAndTheMailerGetsTheCachedToken() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-daemon", expiresIn: 3599))
        defer { f.close() }
        let path = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/daemon.db")
        let config = try ConfigLoader(environment: [:]).load(path: path).config
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_800_000_000))
        let sink = MemoryLogSink()
        let daemon = try Daemon(config: config, clock: clock,
                                logger: Logger(label: "secretwatch") { KeyValueLogHandler(label: $0, level: .info, sink: sink) })
        #expect(daemon.scheduler.steps.map(\.name) == ["store_health", "discovery", "expiry", "token_health", "endpoint_certificates", "renotify", "outbox_age"])
        let failing = await daemon.runOnce()
        #expect(failing.isEmpty)
        let attempt = try #require(try daemon.store.lastTokenAttempts()["smtp"])
        #expect(attempt.outcome == .success)
        #expect(attempt.expiresIn == 3599)
        #expect(try await daemon.tokens.token(for: "smtp").value == "stand-in-token-daemon")
        #expect(f.standIn.requestCount == 1)
        #expect(sink.lines.contains { $0.contains("msg=\"token obtained\"") && $0.contains("lifetime_seconds=3599") })
    }
}

/// Watched credentials given a secret are probed like the SMTP one, each with its own endpoint and secret.
@Suite("Token probing of further credentials")
struct WatchedCredentialTokenTests {
    @Test func aWatchedCredentialWithAWrongSecretIsProbedAndClassified() async throws {
        let f = try TokenEndpointFixture(behaviour: .requireSecret("stand-in-secret-Value~1", accessToken: "stand-in-token-w", expiresIn: 3599))
        defer { f.close() }
        let wrong = try f.pki.write("a-wrong-secret-value\n", to: "portal-secret")
        chmod(wrong, 0o600)
        let base = try String(contentsOfFile: try CheckConnectConfig.write(in: f, database: f.pki.directory + "/w.db"), encoding: .utf8)
        let path = try f.pki.write(base + """

            credentials:
              - name: portal
                tenant_id: \(TokenEndpointFixture.tenant)
                client_id: \(TestConfig.otherClient)
                secret_expires: 2027-06-01
                client_secret_file: \(wrong)
                token_endpoint: \(f.standIn.tokenEndpointTemplate)
              - name: expiry-only
                tenant_id: \(TokenEndpointFixture.tenant)
                client_id: \(TestConfig.otherClient)
                secret_expires: 2027-06-01
            """, to: "with-portal.yml")
        let config = try ConfigLoader(environment: [:]).load(path: path).config
        #expect(config.credentials.map(\.credential.hasSecret) == [true, false])
        let daemon = try Daemon(config: config, clock: ManualClock(now: Date(timeIntervalSince1970: 1_800_000_000)))
        #expect(daemon.tokens.credentials == ["portal", "smtp"])
        _ = await daemon.runOnce()
        let attempts = try daemon.store.lastTokenAttempts()
        #expect(attempts["smtp"]?.outcome == .success)
        #expect(attempts["portal"]?.outcome == .failure)
        #expect(attempts["portal"]?.reason == "invalid_client_secret")
        #expect(attempts["expiry-only"] == nil)
        let bodies = f.standIn.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(bodies.contains { $0.contains("client_id=\(TestConfig.otherClient)") })
    }

    @Test func aWatchedCredentialRefusesAnInlineSecretAndAnHTTPEndpoint() throws {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "x-secret-value\n", mode: 0o600)
        let path = try dir.write("c.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date.utc("2027-01-01"), extra: """
            credentials:
              - name: portal
                tenant_id: \(TestConfig.tenant)
                client_id: \(TestConfig.otherClient)
                secret_expires: 2027-06-01
                client_secret: inline-value
                token_endpoint: http://login.example.com/token
            """))
        #expect {
            _ = try ConfigLoader(environment: [:]).load(path: path)
        } throws: { error in
            let problems = (error as? ConfigError)?.problems.map(\.description) ?? []
            return problems.contains { $0.hasPrefix("credentials[0].client_secret: inline secrets are not allowed") }
                && problems.contains("credentials[0].token_endpoint: \"http://login.example.com/token\" is not an https:// URL (the token endpoint must use TLS)")
        }
    }
}
