import Foundation
import Testing
@testable import SecretWatchCore

/// The `relay:` section as the loader reads it: defaults, shared and own tokens, and the tokens kept out of logs.
@Suite("Relay configuration")
struct RelayConfigTests {
    static let expires = Date(timeIntervalSince1970: 4_000_000_000)
    static let sharedToken = "shared-relay-token-abcdef0123456789"
    static let opsToken = "ops-relay-token-abcdef0123456789"

    static let section = """
        relay:
          token_file: relay.token
          receivers:
            - name: ops
              to: [oncall@contoso.com]
              cc: [lead@contoso.com]
              subject_prefix: "[prod]"
              token_file: relay-ops.token
            - name: dev.team_2
              to: [dev@contoso.com, qa@contoso.com]
        """

    func load(_ extra: String, mode: Int = 0o600) throws -> (ConfigLoader.Loaded, TemporaryDirectory) {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "test-client-secret-value\n", mode: 0o600)
        try dir.write("relay.token", Self.sharedToken + "\n", mode: mode)
        try dir.write("relay-ops.token", "  \(Self.opsToken)  \n", mode: 0o600)
        let path = try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Self.expires, extra: extra))
        return (try ConfigLoader().load(path: path), dir)
    }

    @Test func aRelaySectionLoadsWithItsDefaultsAndBothKindsOfToken() throws {
        let (loaded, dir) = try load(Self.section)
        #expect(loaded.warnings.isEmpty)
        let relay = try #require(loaded.config.relay)
        #expect(relay.maxBodyBytes == 262_144 && relay.dedupWindow == 600)
        #expect(relay.receivers.map(\.name) == ["ops", "dev.team_2"])
        let ops = try #require(relay.receiver(named: "ops"))
        #expect(ops.to == ["oncall@contoso.com"] && ops.cc == ["lead@contoso.com"] && ops.subjectPrefix == "[prod]")
        #expect(relay.tokenSource(of: ops) == .file(dir.file("relay-ops.token")))
        #expect(relay.tokenSource(of: relay.receivers[1]) == .file(dir.file("relay.token")))
        // The tokens themselves: trimmed, per receiver, and never printable.
        let tokens = try RelayTokens.read(relay)
        #expect(tokens.token(for: "ops") == Array(Self.opsToken.utf8))
        #expect(tokens.token(for: "dev.team_2") == Array(Self.sharedToken.utf8))
        #expect(!Redactor.scrub("Authorization: Bearer \(Self.opsToken)").contains(Self.opsToken))
        #expect(!Redactor.scrub("token \(Self.sharedToken)").contains(Self.sharedToken))
    }

    @Test func withoutARelaySectionNothingIsRelayed() throws {
        let (loaded, _) = try load("")
        #expect(loaded.config.relay == nil)
        #expect(try RelayTokens.read(nil).byReceiver.isEmpty)
    }

    @Test func limitsAreReadWithinTheirBounds() throws {
        let (loaded, _) = try load(Self.section.replacingOccurrences(of: "  token_file: relay.token\n",
                                                                    with: "  token_file: relay.token\n  max_body_bytes: 1024\n  dedup_window: 0s\n"))
        #expect(loaded.config.relay?.maxBodyBytes == 1024 && loaded.config.relay?.dedupWindow == 0)
    }

    @Test func aTokenFileOthersCanReadIsWarnedAbout() throws {
        let (loaded, dir) = try load(Self.section, mode: 0o644)
        #expect(loaded.warnings.map(\.description) == [
            "relay.token_file: \"\(dir.file("relay.token"))\" is readable by group or others (mode 0644); run chmod 600 on it",
        ])
    }
}
