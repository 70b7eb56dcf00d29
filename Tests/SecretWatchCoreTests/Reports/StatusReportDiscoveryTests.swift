import Foundation
import Testing
@testable import SecretWatchCore

/// `secretwatch status` over a database that discovery filled: two real discoveries against the Graph stand-in
/// (fabrikam refused with 403, contoso listed), applied by `DiscoveryEvaluator`, then the report as JSON and text.
@Suite("status: discovered credentials, the secret in use and the discovery runs")
struct StatusReportDiscoveryTests {
    /// A store with the configured credentials and both tenants' outcomes applied.
    static func discovered(_ f: DiscoveryStandInFixture, _ s: TestServer) async throws -> Config {
        let config = try f.config()
        try s.store.syncCredentials(config.allCredentials, now: f.now)
        let evaluator = DiscoveryEvaluator(engine: s.engine)
        f.graph.enqueue(.permissionDenied)
        let refused = try await f.discover("fabrikam", config: config)
        #expect(throws: (any Error).self) { try refused.result.get() }
        try evaluator.apply(refused, now: f.now)
        let listed = try await f.discover("contoso", config: config)
        _ = try listed.result.get()
        try evaluator.apply(listed, now: f.now)
        return config
    }

    static func object(_ report: StatusReport) throws -> [String: Any] {
        let text = try JSONOutput.string(report)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func jsonShowsSourceTypeSecretInUseRotationAndTheDiscoveryRuns() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        let s = try TestServer(now: f.now)
        defer { s.stop() }
        _ = try await Self.discovered(f, s)
        let report = try StatusReport(store: s.store, now: f.now)
        let json = try Self.object(report)
        let entries = try #require(json["credentials"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0["name"] as! String, $0) })
        #expect(Set(byName.keys) == ["smtp", "discovery:fabrikam", "discovery:contoso", "ISE SMTP/smtp 2026", "ISE SMTP/smtp 2027", "Guest portal/portal",
                                     "Guest portal/CN=portal"])
        let smtp = try #require(byName["smtp"])
        #expect(smtp["source"] as? String == "config")
        #expect(smtp["type"] as? String == "secret")
        #expect(smtp["configured_expires_at"] as? String == "2031-06-30T00:00:00Z")
        #expect(smtp["expires_at"] as? String == Timestamps.rfc3339(f.entraExpiry), "the effective expiry is Entra's")
        let inUse = try #require(smtp["secret_in_use"] as? [String: Any])
        #expect(inUse["state"] as? String == "matched")
        #expect(inUse["key_id"] as? String == DiscoveryStandInFixture.inUseKey)
        #expect(inUse["entra_expires_at"] as? String == Timestamps.rfc3339(f.entraExpiry))
        #expect(inUse["rotation_in_progress"] as? Bool == true)
        #expect(inUse["newer_secret_created_at"] as? String == Timestamps.rfc3339(f.newerCreated))
        let used = try #require(byName["ISE SMTP/smtp 2026"])
        #expect(used["source"] as? String == "graph")
        #expect(used["discovery_tenant"] as? String == "contoso")
        #expect(used["app_name"] as? String == "ISE SMTP")
        #expect(used["key_id"] as? String == DiscoveryStandInFixture.inUseKey)
        #expect(used["in_use_by"] as? String == "smtp")
        #expect(byName["ISE SMTP/smtp 2027"]?["in_use_by"] == nil)
        #expect(byName["Guest portal/CN=portal"]?["type"] as? String == "certificate")
        let runs = try #require(json["discovery"] as? [[String: Any]])
        #expect(runs.map { $0["tenant"] as? String } == ["contoso", "fabrikam"])
        let contoso = try #require(runs[0]["last_run"] as? [String: Any])
        #expect(contoso["outcome"] as? String == "success")
        #expect(contoso["applications"] as? Int == 2)
        #expect(contoso["credentials"] as? Int == 4)
        #expect(runs[0]["last_success_at"] as? String == Timestamps.rfc3339(f.now))
        let fabrikam = try #require(runs[1]["last_run"] as? [String: Any])
        #expect(fabrikam["outcome"] as? String == "failure")
        #expect(fabrikam["reason"] as? String == "graph_permission_missing")
        #expect(runs[1]["last_success_at"] is NSNull)
    }

    @Test func textShowsTheSecretInUseTheRotationAndEachTenantsLastRun() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        let s = try TestServer(now: f.now)
        defer { s.stop() }
        _ = try await Self.discovered(f, s)
        let text = try StatusReport(store: s.store, now: f.now).renderText()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("ISE SMTP/smtp 2026 ") && $0.contains("graph (contoso)") && $0.contains(" secret ") }, "\(text)")
        #expect(lines.contains { $0.hasPrefix("Guest portal/CN=portal ") && $0.contains(" certificate ") }, "\(text)")
        #expect(text.contains("secret in use (smtp): matched — secret \(DiscoveryStandInFixture.inUseKey) of its app; Entra's end date \(Timestamps.day(f.entraExpiry)), configured secret_expires 2031-06-30 (more than a day apart: Entra's date drives the expiry alarms); rotation in progress: a new secret created on \(Timestamps.day(f.newerCreated)) is not deployed yet"), "\(text)")
        #expect(text.contains("in use by (ISE SMTP/smtp 2026): smtp uses this secret"), "\(text)")
        #expect(text.contains("discovery:\n  contoso: last run \(Timestamps.rfc3339(f.now)) success (2 applications, 4 credentials); last success \(Timestamps.rfc3339(f.now))\n"), "\(text)")
        #expect(text.contains("  fabrikam: last run \(Timestamps.rfc3339(f.now)) failure graph_permission_missing: "), "\(text)")
        #expect(text.contains("; last success never\n"), "\(text)")
        let json = try JSONOutput.string(StatusReport(store: s.store, now: f.now))
        for canary in [DiscoveryStandInFixture.secret, DiscoveryStandInFixture.readerSecret, DiscoveryStandInFixture.token] {
            #expect(!text.contains(canary) && !json.contains(canary))
        }
    }

    @Test func aCredentialRemovedInEntraIsListedOnlyWhenAskedWithItsReason() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        let s = try TestServer(now: f.now)
        defer { s.stop() }
        let config = try await Self.discovered(f, s)
        f.graph.setApplications(f.graph.applications.filter { $0.displayName != "Guest portal" })
        let relisted = try await f.discover("contoso", config: config)
        _ = try relisted.result.get() // a failed listing removes nothing: say why it failed
        try DiscoveryEvaluator(engine: s.engine).apply(relisted, now: f.now)
        let names = try StatusReport(store: s.store, now: f.now).credentials.map(\.name)
        #expect(!names.contains("Guest portal/portal"))
        let all = try StatusReport(store: s.store, now: f.now, includeRemoved: true)
        let removed = try #require(all.credentials.first { $0.name == "Guest portal/portal" })
        #expect(!removed.watched)
        #expect(removed.removedReason == "removed in Entra")
        #expect(all.renderText().contains("removed (Guest portal/portal): removed in Entra"))
    }
}
