import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// The tenant `secretwatch demo` gives the Graph stand-in: Graph's shape as the stand-in reads it, the SMTP app's
/// secret in use found by the demo secret's hint, a newer secret not deployed, the certificate credentials' apps
/// listing their certificates by thumbprint, and no secret value in the file.
@Suite("demo tenant")
struct DemoTenantTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theStandInReadsTheTenantAsWrittenFourteenAppsNineteenCredentials() throws {
        let apps = try StandInApplication.decodeList(try DemoTenant.graphJSON(now: Self.now))
        #expect(apps.count == 14 && DemoTenant.applications.count == 14)
        #expect(apps.reduce(0) { $0 + $1.passwordCredentials.count + $1.keyCredentials.count } == 19)
        #expect(DemoTenant.credentialCount == 19)
        let keyIds = apps.flatMap { $0.passwordCredentials.map(\.keyId) + $0.keyCredentials.map(\.keyId) }
        #expect(Set(keyIds).count == keyIds.count, "key ids are unique across the tenant")
        let thumbprints = apps.flatMap { $0.keyCredentials.compactMap(\.customKeyIdentifier) }
        #expect(Set(thumbprints).count == thumbprints.count, "thumbprints are unique across the tenant")
        #expect(Set(apps.map(\.appId)).count == 14 && Set(apps.map(\.id)).count == 14)
    }

    /// Each certificate credential's app lists the certificate minted for it: Graph's `customKeyIdentifier` is its
    /// SHA-1 thumbprint and the dates are its notBefore/notAfter, so discovery agrees with the configured files.
    @Test func theCertificateCredentialsAppsListTheirMintedCertificatesByThumbprint() throws {
        let pki = try ThrowawayPKI()
        defer { pki.remove() }
        var minted: [DemoTenant.AppCertificate] = []
        for c in DemoWorkspace.certificateCredentials {
            let identity = try pki.makeAppCertificate(named: c.name, validFor: c.validForDays * 86_400)
            let certificate = try X509Certificate(pemFile: identity.certificatePath)
            minted.append(DemoTenant.AppCertificate(credential: c.name, thumbprint: certificate.sha1Thumbprint,
                                                    notBefore: certificate.notBefore, notAfter: certificate.notAfter))
        }
        let apps = try StandInApplication.decodeList(try DemoTenant.graphJSON(now: Self.now, certificates: minted))
        #expect(apps.count == 14)
        for (c, certificate) in zip(DemoWorkspace.certificateCredentials, minted) {
            let app = try #require(apps.first { $0.appId == c.clientId }, "no app for \(c.name)")
            #expect(app.displayName == c.displayName && app.passwordCredentials.isEmpty)
            let key = try #require(app.keyCredentials.first)
            #expect(app.keyCredentials.count == 1)
            #expect(key.customKeyIdentifier == certificate.thumbprint)
            #expect(key.displayName == "CN=\(c.name)")
            #expect(key.startDateTime == certificate.notBefore && key.endDateTime == certificate.notAfter)
        }
        let posture = try #require(minted.first { $0.credential == "posture-app" })
        #expect(abs(posture.notAfter.timeIntervalSinceNow - 5 * 86_400) < 3_600, "the expiring certificate ends in 5 days")
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
