import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// SIGHUP applies the `relay:` section: new receivers and tokens (also a token file replaced in place) take effect
/// without a restart.
@Suite("Relay reload")
struct RelayReloadTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let first = "first-relay-token-0123456789"
    static let second = "second-relay-token-0123456789"

    func write(_ dir: TemporaryDirectory, receivers: String) throws -> String {
        try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Self.start.addingTimeInterval(400 * 86400), extra: """
            relay:
              token_file: relay.token
              receivers:
            \(receivers)
            """))
    }

    @Test func aReloadAppliesNewReceiversAndRereadsTheTokens() async throws {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "test-client-secret-value\n", mode: 0o600)
        try dir.write("relay.token", Self.first + "\n", mode: 0o600)
        let path = try write(dir, receivers: "    - {name: ops, to: [oncall@contoso.com]}")
        let config = try ConfigLoader().load(path: path).config
        let daemon = try Daemon(config: config, clock: ManualClock(now: Self.start), tokenFactory: { _ in TestTokenProvider() },
                                reload: { try ConfigLoader().load(path: path).config })
        #expect(daemon.relayGate.snapshot.tokens.token(for: "ops") == Array(Self.first.utf8))
        #expect(daemon.relayGate.snapshot.config?.receiver(named: "dev") == nil)

        _ = try write(dir, receivers: "    - {name: ops, to: [oncall@contoso.com]}\n    - {name: dev, to: [dev@contoso.com]}")
        let applied = await daemon.reloader.reload()
        #expect(applied.outcome == "applied" && applied.detail.contains("relay"), "\(applied)")
        #expect(daemon.relayGate.snapshot.config?.receiver(named: "dev")?.to == ["dev@contoso.com"])
        #expect(daemon.relayGate.snapshot.tokens.token(for: "dev") == Array(Self.first.utf8))

        // The token file replaced in place, the configuration unchanged: the new token is in force after SIGHUP.
        try dir.write("relay.token", Self.second + "\n", mode: 0o600)
        let unchanged = await daemon.reloader.reload()
        #expect(unchanged.outcome == "unchanged")
        #expect(daemon.relayGate.snapshot.tokens.token(for: "ops") == Array(Self.second.utf8))
        #expect(!unchanged.detail.contains(Self.second) && !applied.detail.contains(Self.first))
    }
}
