import Foundation
import Testing
@testable import SecretWatchCore

/// `secretwatch discover`, run as the built binary against the Graph stand-in: fabrikam is refused (403, queued
/// first: tenants are discovered one after the other in configuration order) beside contoso, which is listed.
@Suite("secretwatch discover")
struct DiscoverCommandTests {
    static let canaries = [DiscoveryStandInFixture.secret, DiscoveryStandInFixture.readerSecret, DiscoveryStandInFixture.token]

    @Test func textListsEachTenantAFailureWithItsFixAndTheSecretInUseAndExitsOne() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        f.graph.enqueue(.permissionDenied)
        let out = try await SecretWatchCLI.run(["discover", "--config", f.configPath])
        #expect(out.status == 1, "\(out.all)")
        let text = out.stdout
        #expect(text.contains("tenant fabrikam (tenant id \(DiscoveryStandInFixture.fabrikamTenant), read as discovery:fabrikam): FAILED graph_permission_missing"), "\(text)")
        #expect(text.contains("  what it means: Microsoft Graph refused to list the applications of tenant \(DiscoveryStandInFixture.fabrikamTenant)"), "\(text)")
        #expect(text.contains("  fix: ") && text.contains("Application.Read.All"), "\(text)")
        #expect(text.contains("  detail: ") && text.contains("HTTP 403"), "\(text)")
        #expect(text.contains("tenant contoso (tenant id \(TokenEndpointFixture.tenant), read as smtp): 2 applications listed in 1 page ("), "\(text)")
        #expect(text.contains("4 credentials kept by the filters"), "\(text)")
        let lines = text.split(separator: "\n").map(String.init)
        let used = try #require(lines.first { $0.hasPrefix("ISE SMTP/smtp 2026 ") }, "\(text)")
        for cell in ["ISE SMTP", TokenEndpointFixture.client, "secret", DiscoveryStandInFixture.inUseKey,
                     Timestamps.rfc3339(f.entraExpiry), "  100"] {
            #expect(used.contains(cell), "\(cell) missing from \(used)")
        }
        let cert = try #require(lines.first { $0.hasPrefix("Guest portal/CN=portal ") }, "\(text)")
        #expect(cert.contains(" certificate ") && cert.contains(DiscoveryStandInFixture.portalCertKey))
        #expect(text.contains("secret in use (smtp): matched — secret \(DiscoveryStandInFixture.inUseKey) of its app; Entra's end date \(Timestamps.day(f.entraExpiry)), configured secret_expires 2031-06-30 (more than a day apart: Entra's date drives the expiry alarms); rotation in progress: a new secret created on \(Timestamps.day(f.newerCreated)) is not deployed yet"), "\(text)")
        #expect(text.hasSuffix("1 of 2 tenants listed; failed: fabrikam (graph_permission_missing). Nothing was written: no database, no alarm, no token attempt recorded.\n"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: f.database), "discover opened or created the database")
        for canary in Self.canaries { #expect(!out.all.contains(canary)) }
        #expect(f.token.standIn.requests.contains { $0.form["client_secret"] == DiscoveryStandInFixture.secret }, "the canary was used")
    }

    @Test func jsonHoldsEveryTenantsOutcomeCredentialsAndVerdicts() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        f.graph.enqueue(.permissionDenied)
        let out = try await SecretWatchCLI.run(["discover", "--config", f.configPath, "--json"])
        #expect(out.status == 1, "\(out.all)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any], "\(out.stdout)")
        let tenants = try #require(json["tenants"] as? [[String: Any]])
        #expect(tenants.map { $0["tenant"] as? String } == ["fabrikam", "contoso"])
        let refused = tenants[0]
        #expect(refused["outcome"] as? String == "failure")
        let failure = try #require(refused["failure"] as? [String: Any])
        #expect(failure["reason"] as? String == "graph_permission_missing")
        #expect((failure["fix"] as? String)?.contains("Application.Read.All") == true)
        #expect(refused["applications"] is NSNull)
        let listed = tenants[1]
        #expect(listed["outcome"] as? String == "success")
        #expect(listed["failure"] is NSNull)
        #expect(listed["reader"] as? String == "smtp")
        #expect(listed["applications"] as? Int == 2)
        let credentials = try #require(listed["credentials"] as? [[String: Any]])
        #expect(credentials.count == 4)
        let used = try #require(credentials.first { $0["key_id"] as? String == DiscoveryStandInFixture.inUseKey })
        #expect(used["name"] as? String == "ISE SMTP/smtp 2026")
        #expect(used["app_name"] as? String == "ISE SMTP")
        #expect(used["app_id"] as? String == TokenEndpointFixture.client)
        #expect(used["type"] as? String == "secret")
        #expect(used["expires_at"] as? String == Timestamps.rfc3339(f.entraExpiry))
        #expect(used["days_left"] as? Int == 100)
        let verdicts = try #require(listed["secret_in_use"] as? [[String: Any]])
        let smtp = try #require(verdicts.first { $0["credential"] as? String == "smtp" })
        #expect(smtp["configured_expires_at"] as? String == "2031-06-30T00:00:00Z")
        let inUse = try #require(smtp["secret_in_use"] as? [String: Any])
        #expect(inUse["state"] as? String == "matched")
        #expect(inUse["key_id"] as? String == DiscoveryStandInFixture.inUseKey)
        #expect(inUse["entra_expires_at"] as? String == Timestamps.rfc3339(f.entraExpiry))
        #expect(inUse["rotation_in_progress"] as? Bool == true)
        #expect(inUse["newer_secret_created_at"] as? String == Timestamps.rfc3339(f.newerCreated))
        #expect(!FileManager.default.fileExists(atPath: f.database))
        for canary in Self.canaries { #expect(!out.all.contains(canary)) }
    }

    @Test func oneTenantAloneExitsZeroWhenListed() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        let out = try await SecretWatchCLI.run(["discover", "--config", f.configPath, "--tenant", "contoso"])
        #expect(out.status == 0, "\(out.all)")
        #expect(!out.stdout.contains("fabrikam"))
        #expect(out.stdout.hasSuffix("1 of 1 tenant listed. Nothing was written: no database, no alarm, no token attempt recorded.\n"), "\(out.stdout)")
        #expect(f.graph.requestCount == 1)
    }

    @Test func anUnknownTenantOrNoDiscoverySectionExitsTwo() async throws {
        let f = try DiscoveryStandInFixture()
        defer { f.close() }
        let unknown = try await SecretWatchCLI.run(["discover", "--config", f.configPath, "--tenant", "northwind"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("error: --tenant \"northwind\" is not a discovery tenant; configured: fabrikam, contoso"), "\(unknown.all)")
        let plain = try CheckConnectConfig.write(in: f.token, database: f.database)
        let none = try await SecretWatchCLI.run(["discover", "--config", plain])
        #expect(none.status == 2)
        #expect(none.stderr.contains("has no discovery: section; there is nothing to discover"), "\(none.all)")
        #expect(f.graph.requestCount == 0 && f.token.standIn.requestCount == 0)
    }

    @Test func helpSaysWhatItDoesAndItsExitCodes() async throws {
        let out = try await SecretWatchCLI.run(["discover", "--help"])
        #expect(out.status == 0)
        let help = out.all.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["--tenant <name>", "--json", "nothing is written", "Exit 0 when every tenant was listed, 1 when a tenant failed, 2"] {
            #expect(help.contains(text), "\(text): \(out.all)")
        }
    }
}
