import Foundation
import SecretWatchStandIns
import Synchronization
import Testing
@testable import SecretWatchCore

/// What the demo prints of a discovery pass, against the demo's own tenant on the Graph stand-in: the tenant line
/// with its counts, the secret in use with Entra's date, the rotation in progress, the drift alarm — each once.
@Suite("demo progress: discovery")
struct DemoProgressDiscoveryTests {
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
        func take() -> [String] { all.withLock { l in defer { l = [] }; return l } }
    }

    /// The SMTP credential reads the demo secret; its configured date is 200 days after the start, as in the demo.
    private func fixture() throws -> DiscoveryFixture {
        let configured = Timestamps.day(DiscoveryFixture.start.addingTimeInterval(200 * DiscoveryFixture.day))
        let f = try DiscoveryFixture(secret: DemoWorkspace.goodSecret, expires: configured)
        f.graph.setApplications(try StandInApplication.decodeList(try DemoTenant.graphJSON(now: DiscoveryFixture.start)))
        return f
    }

    @Test func aDiscoveryPassPrintsTheTenantTheSecretInUseTheRotationAndTheDriftAlarmOnce() async throws {
        let f = try fixture()
        defer { f.close() }
        let daemon = try f.daemon()
        let mail = TemporaryDirectory("secretwatch-demo-mail")
        let lines = Lines()
        let progress = DemoProgress(store: daemon.store, mailDirectory: mail.path) { line in lines.all.withLock { $0.append(line) } }
        _ = await daemon.runOnce()
        progress.poll()
        let text = lines.take().joined(separator: "\n")
        #expect(text.contains("tenant contoso discovered through Microsoft Graph: 14 applications, 19 secrets and certificates now watched (1 page,"), "\(text)")
        let entra = Timestamps.day(DiscoveryFixture.start.addingTimeInterval(DemoTenant.smtpSecretExpiresInDays * DiscoveryFixture.day))
        let configured = Timestamps.day(DiscoveryFixture.start.addingTimeInterval(200 * DiscoveryFixture.day))
        #expect(text.contains("smtp reads secret ") && text.contains("Entra says it expires on \(entra), configured secret_expires \(configured)"), "\(text)")
        let created = Timestamps.day(DiscoveryFixture.start.addingTimeInterval(-DemoTenant.rotationCreatedDaysAgo * DiscoveryFixture.day))
        #expect(text.contains("rotation in progress for smtp: a new secret created on \(created) is not deployed yet"), "\(text)")
        #expect(text.contains("expiry_mismatch for smtp (warning)"), "\(text)")
        // The tenant's line comes before the alarms the pass raised.
        let tenantLine = try #require(text.range(of: "tenant contoso discovered"))
        let drift = try #require(text.range(of: "expiry_mismatch for smtp"))
        #expect(tenantLine.lowerBound < drift.lowerBound)
        #expect(!text.contains(DemoWorkspace.goodSecret))

        // Nothing new: nothing printed again.
        progress.poll()
        #expect(lines.take().isEmpty)
        // A demo started on the same database later prints only what happens from then on.
        let later = DemoProgress(store: daemon.store, mailDirectory: mail.path) { line in lines.all.withLock { $0.append(line) } }
        later.poll()
        #expect(lines.take().isEmpty)
    }

    @Test func aFailedDiscoveryIsPrintedWithItsReason() async throws {
        let f = try fixture()
        defer { f.close() }
        f.graph.setBehaviour(.permissionDenied)
        let daemon = try f.daemon()
        let mail = TemporaryDirectory("secretwatch-demo-mail")
        let lines = Lines()
        let progress = DemoProgress(store: daemon.store, mailDirectory: mail.path) { line in lines.all.withLock { $0.append(line) } }
        _ = await daemon.runOnce()
        progress.poll()
        let text = lines.take().joined(separator: "\n")
        #expect(text.contains("discovery of tenant contoso failed: graph_permission_missing"), "\(text)")
        #expect(!text.contains("rotation in progress"))
    }
}
