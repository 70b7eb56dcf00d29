import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// The demo workspace's certificate credentials, minted through the built `secretwatch-standins` as `secretwatch
/// demo` does: pairs in `certificates/` (keys 0600), registered with the stand-ins, listed by the tenant under their
/// thumbprints, and configured as certificate credentials the configuration loader accepts.
@Suite("demo workspace: certificate credentials")
struct DemoWorkspaceCertificateTests {
    @Test func theWorkspaceMintsRegistersListsAndConfiguresBothCertificates() async throws {
        let dir = TemporaryDirectory("secretwatch-demo")
        let workspace = try DemoWorkspace(directory: dir.path)
        let executable = try StandInsExecutableTests.executable
        try await BlockingExecutor.run { try workspace.makeCertificates(standIns: executable) }

        let now = Date()
        let minted = try workspace.appCertificates()
        #expect(minted.map(\.credential) == ["inventory-app", "posture-app"])
        for c in DemoWorkspace.certificateCredentials {
            let certificate = try X509Certificate(pemFile: workspace.certificatePath(c.name))
            try PrivateKey(pemFile: workspace.keyPath(c.name)).checkMatches(certificate)
            #expect(SecretReader.mode(ofFile: workspace.keyPath(c.name)) == 0o600, "\(c.name)'s key is 0600")
            #expect(abs(certificate.notAfter.timeIntervalSince(now) - c.validForDays * 86_400) < 3_600)
            #expect(minted.first { $0.credential == c.name }?.thumbprint == certificate.sha1Thumbprint)
            // Registered with the token stand-in.
            let flag = workspace.standInArguments.indices.filter { workspace.standInArguments[$0] == "--registered-certificate" }
            #expect(flag.contains { workspace.standInArguments[$0 + 1] == workspace.certificatePath(c.name) })
        }

        // The tenant lists them by thumbprint.
        try workspace.writeGraphApplications(now: now, certificates: minted)
        let apps = try StandInApplication.decodeList(try Data(contentsOf: URL(fileURLWithPath: workspace.graphApplicationsPath)))
        for m in minted {
            let clientId = try #require(DemoWorkspace.certificateCredentials.first { $0.name == m.credential }).clientId
            #expect(apps.first { $0.appId == clientId }?.keyCredentials.map(\.customKeyIdentifier) == [m.thumbprint])
        }

        // The configuration names both files; the loader reads them as certificate credentials with the certificate's expiry.
        let endpoints = StandInsProcess.Endpoints(caFile: "/etc/ssl/certs/ca-certificates.crt", control: "http://127.0.0.1:1",
                                                  mailDir: workspace.mailDirectory, smtpHost: "127.0.0.1", smtpPort: 2525,
                                                  tokenEndpoint: "https://127.0.0.1:1/{tenant}/oauth2/v2.0/token",
                                                  graphBaseURL: "https://127.0.0.1:1", pid: 1)
        let config = try ConfigLoader(environment: [:]).load(path: try workspace.writeConfiguration(endpoints: endpoints, listen: "127.0.0.1:0", now: now)).config
        for m in minted {
            let watched = try #require(config.credentials.first { $0.name == m.credential })
            #expect(watched.credential.type == .certificate)
            #expect(watched.credential.thumbprint == m.thumbprint)
            #expect(watched.secretExpires == m.notAfter)
            #expect(watched.authentication?.certificate?.keyFile == workspace.keyPath(m.credential))
        }
    }
}
