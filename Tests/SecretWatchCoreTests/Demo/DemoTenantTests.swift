import Foundation
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// The tenant `secretwatch demo` gives the Graph stand-in: Graph's shape as the stand-in reads it, the SMTP app's
/// secret in use found by the demo secret's hint, a newer secret not deployed, and no secret value in the file.
@Suite("demo tenant")
struct DemoTenantTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theStandInReadsTheTenantAsWrittenTwelveAppsSeventeenCredentials() throws {
        let apps = try StandInApplication.decodeList(try DemoTenant.graphJSON(now: Self.now))
        #expect(apps.count == 12 && DemoTenant.applications.count == 12)
        #expect(apps.reduce(0) { $0 + $1.passwordCredentials.count + $1.keyCredentials.count } == 17)
        #expect(DemoTenant.credentialCount == 17)
        let keyIds = apps.flatMap { $0.passwordCredentials.map(\.keyId) + $0.keyCredentials.map(\.keyId) }
        #expect(Set(keyIds).count == keyIds.count, "key ids are unique across the tenant")
        #expect(Set(apps.map(\.appId)).count == 12 && Set(apps.map(\.id)).count == 12)
    }

    @Test func theSMTPAppHoldsTheSecretInUseByItsHintAndANewerOneNotDeployed() throws {
        let apps = try StandInApplication.decodeList(try DemoTenant.graphJSON(now: Self.now))
        let smtp = try #require(apps.first { $0.appId == DemoWorkspace.smtpClientId })
        let inUse = try #require(smtp.passwordCredentials.first { $0.hint == String(DemoWorkspace.goodSecret.prefix(3)) })
        #expect(inUse.endDateTime == Self.now.addingTimeInterval(DemoTenant.smtpSecretExpiresInDays * 86_400))
        let newer = try #require(smtp.passwordCredentials.first { $0.keyId != inUse.keyId })
        #expect(newer.startDateTime == Self.now.addingTimeInterval(-DemoTenant.rotationCreatedDaysAgo * 86_400))
        #expect(newer.startDateTime > inUse.startDateTime && newer.endDateTime > Self.now)
        // The legacy app is listed, but none of its secrets starts like the Secret ID pasted into its file.
        let legacy = try #require(DemoWorkspace.credentials.first { $0.name == "legacy-app" })
        let legacyApp = try #require(apps.first { $0.appId == legacy.clientId })
        #expect(!legacyApp.passwordCredentials.contains { $0.hint == String(legacy.secret!.prefix(3)) })
    }

    @Test func theFileHoldsHintsOnlyNeverASecret() throws {
        let text = String(decoding: try DemoTenant.graphJSON(now: Self.now), as: UTF8.self)
        #expect(!text.contains(DemoWorkspace.goodSecret))
        for secret in DemoWorkspace.credentials.compactMap(\.secret) { #expect(!text.contains(secret)) }
        #expect(!text.contains("secretText"))
    }

    @Test func theWorkspaceWritesTheTenantAndHandsItToTheStandIns() throws {
        let dir = TemporaryDirectory("secretwatch-demo")
        let workspace = try DemoWorkspace(directory: dir.path)
        try workspace.writeGraphApplications(now: Self.now)
        let written = try Data(contentsOf: URL(fileURLWithPath: workspace.graphApplicationsPath))
        #expect(written == (try DemoTenant.graphJSON(now: Self.now)))
        let flag = try #require(workspace.standInArguments.firstIndex(of: "--graph-applications-file"))
        #expect(workspace.standInArguments[flag + 1] == workspace.graphApplicationsPath)
    }
}
