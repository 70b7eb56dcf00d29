import Foundation
import Testing
@testable import SecretWatchCore

/// `GET /api/v1/credentials` over a database that discovery filled (real discoveries against the Graph stand-in,
/// applied by `DiscoveryEvaluator`): the discovery fields of each credential, `?source=`, `?include_removed=`.
@Suite("API: credentials with their discovery fields")
struct CredentialsDiscoveryAPITests {
    static func list(_ s: TestServer, _ query: String = "") throws -> [String: [String: Any]] {
        let r = try s.get("/api/v1/credentials" + query)
        #expect(r.status == 200, "\(r.text)")
        let list = try #require(try r.json()["credentials"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as! String, $0) })
    }

    @Test func everyCredentialCarriesTheNewFieldsAndTheConfiguredOneItsSecretInUse() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        let s = try TestServer(now: f.now)
        defer { s.stop() }
        _ = try await StatusReportDiscoveryTests.discovered(f, s)
        let all = try Self.list(s)
        #expect(all.count == 7)
        for (name, entry) in all {
            for key in ["source", "type", "key_id", "app_name", "discovery_tenant", "configured_expires_at", "expires_at",
                        "secret_in_use", "in_use_by", "watched", "removed_reason", "has_secret", "last_token_attempt"] {
                #expect(entry.keys.contains(key), "\(name) lacks \(key)")
            }
        }
        let smtp = try #require(all["smtp"])
        #expect(smtp["configured_expires_at"] as? String == "2031-06-30T00:00:00Z")
        #expect(smtp["expires_at"] as? String == Timestamps.rfc3339(f.entraExpiry))
        let inUse = try #require(smtp["secret_in_use"] as? [String: Any])
        #expect(inUse["state"] as? String == "matched")
        #expect(inUse["key_id"] as? String == DiscoveryStandInFixture.inUseKey)
        #expect(inUse["entra_expires_at"] as? String == Timestamps.rfc3339(f.entraExpiry))
        #expect(inUse["rotation_in_progress"] as? Bool == true)
        #expect(inUse["newer_secret_created_at"] as? String == Timestamps.rfc3339(f.newerCreated))
        #expect(all["discovery:fabrikam"]?["secret_in_use"] is NSNull, "its tenant was never listed")
        let used = try #require(all["ISE SMTP/smtp 2026"])
        #expect(used["in_use_by"] as? String == "smtp")
        #expect(used["discovery_tenant"] as? String == "contoso")
        #expect(used["app_name"] as? String == "ISE SMTP")
        #expect(used["key_id"] as? String == DiscoveryStandInFixture.inUseKey)
        #expect(used["removed_reason"] is NSNull)
        #expect(all["Guest portal/CN=portal"]?["type"] as? String == "certificate")
        let text = try s.get("/api/v1/credentials").text
        for canary in [DiscoveryStandInFixture.secret, DiscoveryStandInFixture.readerSecret, DiscoveryStandInFixture.token] {
            #expect(!text.contains(canary))
        }
    }

    @Test func sourceFiltersAndOtherValuesAreRefused() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        let s = try TestServer(now: f.now)
        defer { s.stop() }
        _ = try await StatusReportDiscoveryTests.discovered(f, s)
        let graph = try Self.list(s, "?source=graph")
        #expect(Set(graph.keys) == ["ISE SMTP/smtp 2026", "ISE SMTP/smtp 2027", "Guest portal/portal", "Guest portal/CN=portal"])
        #expect(graph.values.allSatisfy { $0["source"] as? String == "graph" && $0["discovery_tenant"] as? String == "contoso" })
        let config = try Self.list(s, "?source=config")
        #expect(Set(config.keys) == ["smtp", "discovery:fabrikam", "discovery:contoso"])
        let bad = try s.get("/api/v1/credentials?source=entra")
        #expect(bad.status == 400)
        #expect(try bad.json()["error"] as? String == "query parameter \"source\" must be one of config, graph; got \"entra\"")
        #expect(try s.get("/api/v1/credentials?include_removed=yes").status == 400)
    }

    @Test func aCredentialRemovedInEntraIsListedWithItsReasonWhenAsked() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        let s = try TestServer(now: f.now)
        defer { s.stop() }
        let config = try await StatusReportDiscoveryTests.discovered(f, s)
        f.graph.setApplications(f.graph.applications.filter { $0.displayName != "Guest portal" })
        let relisted = try await f.discover("contoso", config: config)
        _ = try relisted.result.get() // a failed listing removes nothing: say why it failed
        try DiscoveryEvaluator(engine: s.engine).apply(relisted, now: f.now)
        #expect(try Self.list(s)["Guest portal/portal"] == nil)
        let removed = try #require(try Self.list(s, "?source=graph&include_removed=true")["Guest portal/portal"])
        #expect(removed["watched"] as? Bool == false)
        #expect(removed["removed_reason"] as? String == "removed in Entra")
    }
}
