import Foundation
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// Discovery when Graph or the token endpoint says no: classified runs, the last known credentials kept,
/// `discovery_failing` after three failures, Retry-After honoured, one tenant's failure leaving the others alone,
/// a restart that remembers, and no secret anywhere.
@Suite("Discovery failures and restarts")
struct DiscoveryFailureTests {
    @Test func permissionDeniedKeepsTheLastKnownCredentialsAndRaisesDiscoveryFailingAfterThreeFailures() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([(f.secret, 40, 300)], certificates: [DiscoveryFixture.certificate(3, expiresInDays: 90)])])
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        #expect(try daemon.store.credentials().filter { $0.credential.source == .graph }.count == 2)

        f.graph.setBehaviour(.permissionDenied)
        var failures: [DiscoveryRun] = []
        for hour in 1...3 {
            f.clock.set(to: DiscoveryFixture.start.addingTimeInterval(Double(hour) * 3_601))
            _ = await daemon.runOnce()
            failures = try daemon.store.discoveryRuns(tenant: "contoso").filter { $0.outcome == .failure }
            #expect(failures.count == hour)
            #expect((try f.active(daemon, .discoveryFailing, on: "discovery:contoso") != nil) == (hour == 3), "after \(hour) failures")
        }
        #expect(failures.first?.reason == "graph_permission_missing")
        #expect(failures.first?.detail?.contains("Application.Read.All") == true)
        let alarm = try #require(try f.active(daemon, .discoveryFailing, on: "discovery:contoso"))
        #expect(alarm.severity == .major && alarm.reason == "graph_permission_missing")
        // The last known credentials are still watched, and the secret in use is still known.
        #expect(try daemon.store.credentials().filter { $0.credential.source == .graph }.count == 2)
        #expect(try f.record(daemon, "smtp").secretInUse?.state == .matched)
        // A token for Graph refused with the SMTP app is not the mail path's problem.
        #expect(try f.active(daemon, .tokenAcquisitionFailing, on: "smtp") == nil)

        f.graph.setBehaviour(.normal)
        f.clock.advance(by: 3_601)
        _ = await daemon.runOnce()
        #expect(try f.active(daemon, .discoveryFailing, on: "discovery:contoso") == nil)
    }

    @Test func throttlingWaitsForRetryAfterBeforeTheNextRequest() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([(f.secret, 40, 300)])])
        f.graph.enqueue(.throttled(retryAfterSeconds: 900))
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        let run = try #require(try daemon.store.discoveryRuns(tenant: "contoso").first)
        #expect(run.outcome == .failure && run.reason == "graph_throttled", "\(run)")
        let asked = f.graph.requestCount
        // The back-off alone would retry after a minute; Graph asked for 15.
        for minutes in [1.5, 5, 14] {
            f.clock.set(to: DiscoveryFixture.start.addingTimeInterval(minutes * 60))
            _ = await daemon.runOnce()
            #expect(f.graph.requestCount == asked, "a request \(minutes) min after a Retry-After of 15 min")
        }
        f.clock.set(to: DiscoveryFixture.start.addingTimeInterval(15 * 60 + 1))
        _ = await daemon.runOnce()
        #expect(f.graph.requestCount == asked + 1)
        #expect(try daemon.store.discoveryRuns(tenant: "contoso").first?.outcome == .success)
    }

    @Test func aTenantFailingLeavesAnotherSucceeding() async throws {
        // fabrikam's reader signs in at a token endpoint where nothing listens.
        let closed = MailTestSupport.closedPort()
        let f = try DiscoveryFixture(tenantExtra: """
                - name: fabrikam
                  tenant_id: fabrikam.onmicrosoft.com
                  client_id: \(TestConfig.otherClient)
                  client_secret_file: SECRET
                  token_endpoint: https://127.0.0.1:\(closed)/{tenant}/oauth2/v2.0/token
                  scope: \(GraphStandIn.scope)
            """)
        defer { f.close() }
        let yaml = try String(contentsOfFile: f.configPath, encoding: .utf8).replacingOccurrences(of: "SECRET", with: f.token.secretFile)
        try yaml.write(toFile: f.configPath, atomically: true, encoding: .utf8)
        f.graph.setApplications([f.smtpApp([(f.secret, 40, 300)])])
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        let runs = try daemon.store.lastDiscoveryRuns()
        #expect(runs["contoso"]?.outcome == .success)
        #expect(runs["fabrikam"]?.outcome == .failure && runs["fabrikam"]?.reason == "connect_refused", "\(String(describing: runs["fabrikam"]))")
        #expect(try daemon.store.credentials().filter { $0.credential.discoveryTenant == "contoso" && $0.credential.source == .graph }.count == 1)
        // The reader's own token failures are discovery's alarm, not a token-health probe's.
        #expect(try f.active(daemon, .tokenAcquisitionFailing, on: "discovery:fabrikam") == nil)
    }

    @Test func aRestartKeepsDiscoveredCredentialsAlarmsAndTheSchedule() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([(f.secret, 100, 10)], certificates: [DiscoveryFixture.certificate(5, expiresInDays: 5)])])
        var daemon: Daemon? = try f.daemon()
        _ = await daemon!.runOnce()
        let before = try daemon!.store.activeAlarms().map(\.id).sorted()
        #expect(before.count == 3, "expiring (smtp, from Entra), mismatch (smtp), expiring (certificate)")
        let requests = f.graph.requestCount
        daemon = nil
        f.clock.advance(by: 600)
        let again = try f.daemon()
        _ = await again.runOnce()
        // Within the interval: no new discovery, nothing raised twice, the discovered credentials still there.
        #expect(f.graph.requestCount == requests)
        #expect(try again.store.activeAlarms().map(\.id).sorted() == before)
        #expect(try again.store.credentials().filter { $0.credential.source == .graph }.count == 2)
        #expect(try f.record(again, "smtp").credential.expiresAt == DiscoveryFixture.start.addingTimeInterval(10 * DiscoveryFixture.day))
    }

    @Test func removingTheDiscoverySectionForgetsWhatItDecided() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([(f.secret, 100, 10)])])
        _ = await (try f.daemon()).runOnce()
        let plain = try String(contentsOfFile: f.configPath, encoding: .utf8).components(separatedBy: "\ndiscovery:")[0]
        try plain.write(toFile: f.configPath, atomically: true, encoding: .utf8)
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        #expect(try f.active(daemon, .expiryMismatch, on: "smtp") == nil)
        #expect(try f.record(daemon, "smtp").secretInUse == nil)
        #expect(try daemon.store.credentials().filter { $0.credential.source == .graph }.isEmpty)
        let removed = try daemon.store.credentials(includeUnwatched: true).filter { $0.credential.source == .graph }
        #expect(removed.count == 1 && removed[0].removedReason == "its discovery tenant is no longer in the configuration")
    }

    @Test func noSecretValueIsStoredOrLogged() async throws {
        let canary = "CANARY-7f3a9c-discovery-secret-value"
        let f = try DiscoveryFixture(secret: canary)
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([(canary, 40, 5), ("CAX-newer", 1, 700)])])
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        #expect(try f.record(daemon, "smtp").secretInUse?.state == .matched)
        let db = try Data(contentsOf: URL(fileURLWithPath: f.database))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: f.database + "-wal"))) ?? Data()
        for needle in [canary, String(canary.dropFirst(3)), "stand-in-access-token-0001"] {
            #expect(db.range(of: Data(needle.utf8)) == nil && wal.range(of: Data(needle.utf8)) == nil, "\(needle) in the database")
            #expect(!f.sink.lines.contains { $0.contains(needle) }, "\(needle) in the log")
        }
    }
}
