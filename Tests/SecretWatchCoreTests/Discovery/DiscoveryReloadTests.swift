import Foundation
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// A SIGHUP reload that changes `discovery:` takes effect at the next pass: a changed tenant is read again at once.
@Suite("Discovery and reloads")
struct DiscoveryReloadTests {
    @Test func aChangedFilterIsAppliedAtTheNextPass() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([(f.secret, 40, 300)])] + StandInApplication.generated(count: 3, now: DiscoveryFixture.start))
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        #expect(try daemon.store.credentials().filter { $0.credential.source == .graph }.count == 7)
        let requests = f.graph.requestCount

        let yaml = try String(contentsOfFile: f.configPath, encoding: .utf8)
            .replacingOccurrences(of: "  use_smtp_credential: true\n", with: "  use_smtp_credential: true\n      exclude_names: [\"stand-in app *\"]\n")
        try yaml.write(toFile: f.configPath, atomically: true, encoding: .utf8)
        let outcome = await daemon.reloader.reload()
        #expect(outcome.outcome == "applied" && outcome.detail.contains("discovery"), "\(outcome)")
        f.clock.advance(by: 60)
        _ = await daemon.runOnce()
        #expect(f.graph.requestCount == requests + 1, "the changed tenant is read again without waiting for its interval")
        let watched = try daemon.store.credentials().filter { $0.credential.source == .graph }
        #expect(watched.map(\.name) == ["ISE mail/secret Zq8"], "\(watched.map(\.name))")
        let excluded = try daemon.store.credentials(includeUnwatched: true).filter { !$0.watched && $0.credential.source == .graph }
        #expect(excluded.count == 6 && excluded.allSatisfy { $0.removedReason == "excluded by the discovery filters of contoso" })
    }
}
