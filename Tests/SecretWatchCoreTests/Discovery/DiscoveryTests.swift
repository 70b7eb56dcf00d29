import Foundation
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// The daemon's discovery pass against the Graph stand-in: discovered credentials, the secret in use found by its
/// hint, drift, rotation, removal, failures and restarts — observed in the database, the alarms and the log.
@Suite("Discovery through Microsoft Graph")
struct DiscoveryTests {
    @Test func everyCredentialOfEveryAppBecomesAWatchedCredentialAndTheSecretInUseIsFound() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([
            f.smtpApp([(f.secret, 40, 300)], certificates: [DiscoveryFixture.certificate(1, expiresInDays: 10)]),
        ] + StandInApplication.generated(count: 3, now: DiscoveryFixture.start))
        let daemon = try f.daemon()
        #expect(await daemon.runOnce().isEmpty)

        let discovered = try daemon.store.credentials().filter { $0.credential.source == .graph }
        #expect(discovered.count == 8, "\(discovered.map(\.name))")
        let cert = try f.record(daemon, "ISE mail/CN=cert 1")
        #expect(cert.credential.type == .certificate && cert.credential.keyId == "ce70ce70-0000-4000-8000-000000000001")
        #expect(cert.credential.discoveryTenant == "contoso" && cert.credential.appName == "ISE mail")
        // The certificate expires in 10 days: an expiry alarm of its own.
        #expect(try f.active(daemon, .clientCertificateExpiring, on: "ISE mail/CN=cert 1")?.thresholdDays == 14)

        // The SMTP secret is secret 1 of the app: Graph's date now drives its expiry, and its discovered row is
        // marked as used by smtp (no second alarm for the same secret).
        let smtp = try f.record(daemon, "smtp")
        let inUse = try #require(smtp.secretInUse)
        #expect(inUse.state == .matched && inUse.keyId == DiscoveryFixture.keyId(of: f.secret))
        #expect(smtp.credential.expiresAt == DiscoveryFixture.start.addingTimeInterval(300 * DiscoveryFixture.day))
        #expect(try f.record(daemon, "ISE mail/secret Zq8").inUseBy == "smtp")
        #expect(try daemon.store.discoveryRuns(tenant: "contoso").first?.outcome == .success)
        #expect(try daemon.store.discoveryRuns(tenant: "contoso").first?.applications == 4)
        #expect(f.sink.lines.contains { $0.contains("tenant discovered") && $0.contains("credentials=8") })
    }

    @Test func pagesBeyondOneAreFollowed() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications(StandInApplication.generated(count: 2_100, now: DiscoveryFixture.start))
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        let run = try #require(try daemon.store.discoveryRuns(tenant: "contoso").first)
        #expect(run.outcome == .success && run.pages == 3 && run.applications == 2_100 && run.credentials == 4_200, "\(run)")
        #expect(f.graph.requests.filter { $0.path.contains("$skiptoken=") }.count == 2)
    }

    @Test func driftEarlierInEntraRaisesExpiryMismatchAndTheExpiryAlarmFollowsEntra() async throws {
        // Configured: 2027-12-28 (far); Entra: 10 days from now.
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([(f.secret, 100, 10)])])
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        let mismatch = try #require(try f.active(daemon, .expiryMismatch, on: "smtp"))
        #expect(mismatch.severity == .warning)
        #expect(mismatch.summary.contains("2027-12-28") && mismatch.summary.contains("2027-01-25"), "\(mismatch.summary)")
        let expiring = try #require(try f.active(daemon, .clientSecretExpiring, on: "smtp"))
        #expect(expiring.expiresAt == DiscoveryFixture.start.addingTimeInterval(10 * DiscoveryFixture.day))
        // A second pass changes nothing.
        f.clock.advance(by: 60)
        _ = await daemon.runOnce()
        #expect(try daemon.store.activeAlarms().filter { $0.credentialName == "smtp" }.count == 2)
    }

    @Test func driftLaterInEntraClearsTheConfiguredDatesAlarm() async throws {
        // Configured: 5 days from now (an expiring alarm); Entra: 200 days.
        let f = try DiscoveryFixture(expires: "2027-01-20")
        defer { f.close() }
        f.graph.setApplications([])
        f.graph.setBehaviour(.permissionDenied)
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        #expect(try f.active(daemon, .clientSecretExpiring, on: "smtp") != nil)
        f.graph.setBehaviour(.normal)
        f.graph.setApplications([f.smtpApp([(f.secret, 100, 200)])])
        f.clock.advance(by: 120)
        _ = await daemon.runOnce()
        #expect(try f.active(daemon, .clientSecretExpiring, on: "smtp") == nil)
        #expect(try f.active(daemon, .expiryMismatch, on: "smtp") != nil)
        let events = try daemon.store.alarms(AlarmFilter(state: .cleared, kind: .clientSecretExpiring))
        let cleared = try #require(events.first)
        let history = try daemon.store.events(alarmId: cleared.id)
        #expect(history.contains { $0.type == .cleared && $0.detail.contains("Entra says the secret in use expires on") }, "\(history.map(\.detail))")
    }

    @Test func rotationInProgressIsKnownAndNamedInTheExpiryAlarm() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        // In use: the old secret, 7 days left; a new one was created 2 days ago and is not deployed.
        f.graph.setApplications([f.smtpApp([(f.secret, 700, 7), ("Nw5~the-new-secret", 2, 700)])])
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        let smtp = try f.record(daemon, "smtp")
        #expect(smtp.secretInUse?.rotationInProgress == true)
        #expect(smtp.credential.rotationPendingSince == DiscoveryFixture.start.addingTimeInterval(-2 * DiscoveryFixture.day))
        let expiring = try #require(try f.active(daemon, .clientSecretExpiring, on: "smtp"))
        let raised = try #require(try daemon.store.events(alarmId: expiring.id).first)
        #expect(raised.detail.contains("a new secret created on 2027-01-13 is not deployed yet"), "\(raised.detail)")
        let mail = AlarmMail(alarm: expiring, credential: smtp.credential, occasion: .raised, detail: raised.detail, now: f.clock.now())
        #expect(mail.body.contains("rotation:     a new secret created on 2027-01-13 is not deployed yet"))
    }

    @Test func aSecretDeletedInEntraBetweenTwoPassesRaisesSecretNotInEntraAndItsRowIsRemoved() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([(f.secret, 40, 300), ("Ot7~another", 10, 400)])])
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        #expect(try f.record(daemon, "smtp").secretInUse?.state == .matched)
        f.graph.setApplications([f.smtpApp([("Ot7~another", 10, 400)].map { ($0.0, $0.1, $0.2) })])
        f.clock.advance(by: 3_601)
        _ = await daemon.runOnce()
        let smtp = try f.record(daemon, "smtp")
        #expect(smtp.secretInUse?.state == .notInEntra)
        // Graph's date no longer applies: the configured one is back.
        #expect(smtp.credential.expiresAt == smtp.configuredExpiresAt)
        let missing = try #require(try f.active(daemon, .secretNotInEntra, on: "smtp"))
        #expect(missing.severity == .critical && missing.summary.contains("next token request will fail"))
        // The deleted secret's own row: removed in Entra, history kept.
        let gone = try #require(try daemon.store.credentials(includeUnwatched: true).first { $0.credential.keyId == DiscoveryFixture.keyId(of: f.secret) })
        #expect(!gone.watched && gone.removedReason == "removed in Entra")
    }

    @Test func hintVerdicts() async throws {
        let now = DiscoveryFixture.start
        func app(_ hints: [String?]) -> GraphApplication {
            GraphApplication(id: "o", appId: "APP", displayName: "a", passwordCredentials: hints.enumerated().map { i, h in
                GraphPasswordCredential(keyId: "k\(i)", displayName: nil, hint: h, startDateTime: now.addingTimeInterval(Double(i) * 10),
                                        endDateTime: now.addingTimeInterval(1e7))
            }, keyCredentials: [])
        }
        #expect(SecretInUseMatcher.match(secret: "abcdef", clientId: "app", in: [app(["xyz", "abc"])], now: now).keyId == "k1")
        #expect(SecretInUseMatcher.match(secret: "abcdef", clientId: "app", in: [app(["xyz"])], now: now).state == .notInEntra)
        #expect(SecretInUseMatcher.match(secret: "abcdef", clientId: "app", in: [app([])], now: now).state == .notInEntra)
        #expect(SecretInUseMatcher.match(secret: "abcdef", clientId: "app", in: [app([nil])], now: now).state == .notInEntra)
        #expect(SecretInUseMatcher.match(secret: "abcdef", clientId: "other", in: [app(["abc"])], now: now).state == .appNotFound)
        #expect(SecretInUseMatcher.match(secret: "abcdef", clientId: "app", in: [app(["abc", "abc"])], now: now).state == .ambiguous)
        // The one in use is the older of two: rotation in progress; the newer one in use: none.
        #expect(SecretInUseMatcher.match(secret: "abcdef", clientId: "app", in: [app(["abc", "new"])], now: now).rotationInProgress)
        #expect(!SecretInUseMatcher.match(secret: "abcdef", clientId: "app", in: [app(["old", "abc"])], now: now).rotationInProgress)
    }

    @Test func anAppWithNoSecretAtAllRaisesSecretNotInEntra() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([])])
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        #expect(try f.record(daemon, "smtp").secretInUse?.state == .notInEntra)
        #expect(try f.active(daemon, .secretNotInEntra, on: "smtp") != nil)
    }

    @Test func aCredentialRemovedFromGraphClearsItsAlarmsAsRemovedInEntra() async throws {
        let f = try DiscoveryFixture()
        defer { f.close() }
        f.graph.setApplications([f.smtpApp([(f.secret, 40, 300)], certificates: [DiscoveryFixture.certificate(7, expiresInDays: 3)])])
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        let alarm = try #require(try f.active(daemon, .clientCertificateExpiring, on: "ISE mail/CN=cert 7"))
        f.graph.setApplications([f.smtpApp([(f.secret, 40, 300)])])
        f.clock.advance(by: 3_601)
        _ = await daemon.runOnce()
        #expect(try f.active(daemon, .clientCertificateExpiring, on: "ISE mail/CN=cert 7") == nil)
        let history = try daemon.store.events(alarmId: alarm.id)
        #expect(history.contains { $0.type == .cleared && $0.detail.contains("removed in Entra") }, "\(history.map { "\($0.type): \($0.detail)" })")
    }
}
