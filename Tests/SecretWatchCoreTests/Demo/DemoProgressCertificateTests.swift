import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import SecretWatchTesting
import Synchronization
import Testing
@testable import SecretWatchCore

/// What the demo prints of its certificate credentials, against the token stand-in verifying client assertions for
/// real: the token a certificate credential obtained with an assertion (with the certificate's thumbprint), and the
/// `client_certificate_expiring` alarm of the certificate that ends in 5 days — each once.
@Suite("demo progress: certificate credentials")
struct DemoProgressCertificateTests {
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
        func take() -> [String] { all.withLock { l in defer { l = [] }; return l } }
    }

    /// The demo's two certificate credentials, each with a certificate minted beside the stand-in and registered
    /// with it (one valid for a year, one ending in 5 days), watched next to the SMTP credential.
    private func daemon(_ f: TokenEndpointFixture) throws -> (Daemon, [String: X509Certificate]) {
        var certificates: [String: X509Certificate] = [:]
        var watched = "credentials:"
        for c in DemoWorkspace.certificateCredentials {
            let (identity, certificate) = try f.appCertificate(c.name, validFor: c.validForDays * 86_400)
            certificates[c.name] = certificate
            watched += """

                  - name: \(c.name)
                    tenant_id: \(TokenEndpointFixture.tenant)
                    client_id: \(c.clientId)
                    client_certificate_file: \(identity.certificatePath)
                    client_key_file: \(identity.keyPath)
                    token_endpoint: \(f.standIn.tokenEndpointTemplate)
                """
        }
        let path = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/demo.db", expires: "2030-01-01", extra: watched)
        let config = try ConfigLoader(environment: [:]).load(path: path).config
        return (try Daemon(config: config, clock: ManualClock(now: Date())), certificates)
    }

    @Test func theTokenObtainedWithAnAssertionAndTheExpiringCertificatesAlarmArePrintedOnce() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let (daemon, certificates) = try daemon(f)
        let mail = TemporaryDirectory("secretwatch-demo-mail")
        let lines = Lines()
        let progress = DemoProgress(store: daemon.store, mailDirectory: mail.path) { line in lines.all.withLock { $0.append(line) } }
        _ = await daemon.runOnce()
        progress.poll()
        let text = lines.take().joined(separator: "\n")

        let inventory = try #require(certificates["inventory-app"])
        let posture = try #require(certificates["posture-app"])
        #expect(text.contains("token for inventory-app obtained with a client assertion signed by its certificate (SHA-1 thumbprint \(inventory.sha1Thumbprint)): no secret sent"), "\(text)")
        #expect(text.contains("token for posture-app obtained with a client assertion signed by its certificate (SHA-1 thumbprint \(posture.sha1Thumbprint))"), "\(text)")
        #expect(text.contains("raised — client_certificate_expiring for posture-app (critical)"), "\(text)")
        #expect(!text.contains("client_certificate_expiring for inventory-app"), "\(text)")
        #expect(!text.contains("token for smtp obtained"), "a secret credential's token is not a certificate's: \(text)")

        // Nothing new: nothing printed again; a demo started later on the same database prints only what follows.
        progress.poll()
        #expect(lines.take().isEmpty)
        let later = DemoProgress(store: daemon.store, mailDirectory: mail.path) { line in lines.all.withLock { $0.append(line) } }
        later.poll()
        #expect(lines.take().isEmpty)
    }
}
