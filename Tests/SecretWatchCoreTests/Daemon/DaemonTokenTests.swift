import Foundation
import Logging
import Testing
import SecretWatchStandIns
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
        let sink = LogSink.memory()
        let daemon = try Daemon(config: config, clock: clock,
                                logger: Logger(label: "secretwatch") { KeyValueLogHandler(label: $0, level: .info, sink: sink) })
        #expect(daemon.scheduler.steps.map(\.name) == ["expiry", "token_health"])
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
