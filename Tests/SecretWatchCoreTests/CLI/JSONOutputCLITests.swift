import Foundation
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

/// `--json` on `check`, `send-test` and `ack` (the built binary): standard output is exactly one JSON object,
/// the exit status is the one the text output has, and no token reaches the output.
@Suite("CLI --json on check, send-test and ack")
struct JSONOutputCLITests {
    static func object(_ out: SecretWatchCLI.Output) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8))
        return try #require(parsed as? [String: Any], "stdout is one JSON object: \(out.stdout)")
    }

    @Test func checkDescribesAValidConfigurationWithoutConnecting() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let config = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db")
        let out = try await SecretWatchCLI.run(["check", "--config", config, "--json"])
        #expect(out.status == 0, "\(out.all)")
        let json = try Self.object(out)
        #expect(json["valid"] as? Bool == true)
        #expect(json["config"] as? String == config)
        #expect((json["errors"] as? [Any])?.isEmpty == true)
        let smtp = try #require(json["smtp"] as? [String: Any])
        #expect(smtp["mailbox"] as? String == "ise-alerts@contoso.com")
        #expect((smtp["authentication"] as? String)?.contains(f.secretFile) == true, "the secret's source, not its value")
        let credentials = try #require(json["credentials"] as? [[String: Any]])
        #expect(credentials.map { $0["name"] as? String } == ["smtp"])
        #expect(credentials[0]["expires_at"] as? String == "2027-12-28T00:00:00Z")
        #expect(credentials[0]["days_left"] is Int)
        #expect(json["connection"] == nil, "no connection test without --connect")
        #expect(!out.all.contains(try String(contentsOfFile: f.secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test func checkShowsTheRelayReceiversAndWhereTheirTokensAreButNotTheTokens() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let token = try f.pki.write("relay-token-never-printed-7f3a\n", to: "relay.token")
        chmod(token, 0o600)
        let relay = """
            relay:
              token_file: \(token)
              dedup_window: 15m
              receivers:
                - name: ops
                  to: [oncall@contoso.com]
                  cc: [lead@contoso.com]
                  subject_prefix: "[prod]"
            """
        let config = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db", extra: relay)
        let text = try await SecretWatchCLI.run(["check", "--config", config])
        #expect(text.status == 0, "\(text.all)")
        #expect(text.stdout.contains("relay: 1 receiver, bodies up to 262144 bytes, the same notification again within 15m sends no mail, at most 5000 recipients in 24 hours"), "\(text.stdout)")
        #expect(text.stdout.contains("  POST /api/v1/relay/ops → oncall@contoso.com, cc lead@contoso.com (token from file \(token))"), "\(text.stdout)")
        let out = try await SecretWatchCLI.run(["check", "--config", config, "--json"])
        #expect(out.status == 0, "\(out.all)")
        let json = try #require(try Self.object(out)["relay"] as? [String: Any])
        #expect(json["dedup_window_seconds"] as? Int == 900)
        #expect(json["max_body_bytes"] as? Int == 262_144)
        #expect(json["max_recipients_per_day"] as? Int == 5000)
        let receiver = try #require((json["receivers"] as? [[String: Any]])?.first)
        #expect(receiver["path"] as? String == "/api/v1/relay/ops")
        #expect(receiver["cc"] as? [String] == ["lead@contoso.com"])
        #expect(receiver["subject_prefix"] as? String == "[prod]")
        #expect(receiver["token"] as? String == "file \(token)")
        #expect(!text.all.contains("relay-token-never-printed") && !out.all.contains("relay-token-never-printed"))
    }

    @Test func checkOfAnInvalidConfigurationIsJSONWithEveryProblemAndExitTwo() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("bad.yml")
        try "smtp:\n  host: 12\n  bogus: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let out = try await SecretWatchCLI.run(["check", "--config", path, "--json"])
        #expect(out.status == 2, "\(out.all)")
        let json = try Self.object(out)
        #expect(json["valid"] as? Bool == false)
        let errors = try #require(json["errors"] as? [[String: String]])
        #expect(errors.contains { $0["path"] == "smtp.bogus" }, "\(errors)")
        #expect(errors.contains { $0["path"] == "smtp.auth" }, "\(errors)")
        #expect(json["smtp"] == nil)
    }

    @Test func checkConnectReportsEveryStageAndTheChainsButNotTheToken() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-for-json-0042", expiresIn: 3599))
        defer { f.close() }
        let smtp = try await SMTPTestServer.start(acceptedTokens: ["stand-in-token-for-json-0042"])
        defer { smtp.stop() }
        let config = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db", smtp: smtp)
        let out = try await SecretWatchCLI.run(["check", "--config", config, "--connect", "--json"])
        #expect(out.status == 0, "\(out.all)")
        let connection = try #require(try Self.object(out)["connection"] as? [String: Any])
        #expect(connection["passed"] as? Bool == true)
        #expect(connection["failed_stage"] == nil)
        let stages = try #require(connection["stages"] as? [[String: Any]])
        #expect(stages.map { $0["stage"] as? String } == ["token", "connect", "EHLO", "STARTTLS", "AUTH", "QUIT"])
        #expect(stages.allSatisfy { $0["ok"] as? Bool == true && $0["duration_ms"] is Int })
        #expect((stages[0]["summary"] as? String)?.hasPrefix("token lifetime 3599 s") == true)
        let chains = try #require(connection["certificate_chains"] as? [[String: Any]])
        let token = try #require(chains.first { $0["label"] as? String == "token endpoint" })
        let leaf = try #require((token["certificates"] as? [[String: Any]])?.first)
        #expect(leaf["position"] as? String == "leaf")
        #expect(leaf["days_left"] as? Int == 397)
        #expect(!out.all.contains("stand-in-token-for-json-0042"))
        #expect(try smtp.stats().messages == 0)
    }

    @Test func checkConnectFailureNamesTheStageReasonAndFixAndExitsOne() async throws {
        let f = try TokenEndpointFixture(behaviour: .entraError(.invalidClientSecret))
        defer { f.close() }
        let config = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db")
        let out = try await SecretWatchCLI.run(["check", "--config", config, "--connect", "--json"])
        #expect(out.status == 1, "\(out.all)")
        let connection = try #require(try Self.object(out)["connection"] as? [String: Any])
        #expect(connection["passed"] as? Bool == false)
        #expect(connection["failed_stage"] as? String == "token")
        let stage = try #require((connection["stages"] as? [[String: Any]])?.first)
        #expect(stage["ok"] as? Bool == false)
        #expect(stage["reason"] as? String == "invalid_client_secret")
        #expect((stage["fix"] as? String)?.contains("put the secret's Value, not its Secret ID") == true)
        #expect((stage["detail"] as? String)?.contains(f.standIn.traceIds[0]) == true)
    }

    @Test func sendTestReportsTheAcceptedMail() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-for-json-0043", expiresIn: 3599))
        defer { f.close() }
        let smtp = try await SMTPTestServer.start(acceptedTokens: ["stand-in-token-for-json-0043"])
        defer { smtp.stop() }
        let config = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db", smtp: smtp)
        let out = try await SecretWatchCLI.run(["send-test", "--config", config, "--to", "you@contoso.com", "--json"])
        #expect(out.status == 0, "\(out.all)")
        let json = try Self.object(out)
        #expect(json["outcome"] as? String == "sent")
        #expect(json["delivered_here"] as? Bool == true)
        #expect(json["still_queued"] as? Bool == false)
        #expect(json["to"] as? [String] == ["you@contoso.com"])
        #expect(json["smtp_code"] as? Int == 250)
        #expect((json["message_id"] as? String)?.hasSuffix("@contoso.com") == true)
        #expect(try smtp.stats().messages == 1)
        #expect(!out.all.contains("stand-in-token-for-json-0043"))
    }

    @Test func sendTestReportsARefusalWithItsReasonAndFixAndExitsOne() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-for-json-0044", expiresIn: 3599))
        defer { f.close() }
        let smtp = try await SMTPTestServer.start(acceptedTokens: ["another-token-entirely"])
        defer { smtp.stop() }
        let config = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/sw.db", smtp: smtp)
        let out = try await SecretWatchCLI.run(["send-test", "--config", config, "--to", "you@contoso.com", "--json"])
        #expect(out.status == 1, "\(out.all)")
        let json = try Self.object(out)
        #expect(json["outcome"] as? String != "sent")
        #expect(json["reason"] as? String == "smtp_auth_rejected", "\(json)")
        #expect(json["fix"] is String && json["meaning"] is String)
        #expect(try smtp.stats().messages == 0)
        #expect(!out.all.contains("stand-in-token-for-json-0044"))
    }

    @Test func ackReportsTheAlarmThenAlreadyAcknowledgedThenNotFound() async throws {
        let dir = TemporaryDirectory()
        let database = dir.file("sw.db")
        let alarmId = try TestConfig.expiringAlarm(in: database)
        let first = try await SecretWatchCLI.run(["ack", "\(alarmId)", "--database", database, "--by", "alice", "--comment", "rotating", "--json"])
        #expect(first.status == 0, "\(first.all)")
        let json = try Self.object(first)
        #expect(json["result"] as? String == "acknowledged")
        #expect(json["alarm_id"] as? Int == Int(alarmId))
        let alarm = try #require(json["alarm"] as? [String: Any])
        #expect(alarm["kind"] as? String == "client_secret_expiring")
        let ack = try #require(alarm["acknowledged"] as? [String: Any])
        #expect(ack["by"] as? String == "alice" && ack["comment"] as? String == "rotating")
        #expect((alarm["events"] as? [[String: Any]])?.contains { $0["type"] as? String == "acknowledged" } == true)

        let again = try await SecretWatchCLI.run(["ack", "\(alarmId)", "--database", database, "--by", "bob", "--json"])
        #expect(again.status == 0, "\(again.all)")
        #expect(try Self.object(again)["result"] as? String == "already_acknowledged")

        let missing = try await SecretWatchCLI.run(["ack", "999", "--database", database, "--by", "bob", "--json"])
        #expect(missing.status == 1, "\(missing.all)")
        let none = try Self.object(missing)
        #expect(none["result"] as? String == "not_found")
        #expect(none["error"] as? String == "there is no alarm #999")
        #expect(none["alarm"] == nil)
    }
}
