import Foundation
import SecretWatchCrypto
import Testing
@testable import SecretWatchCore

/// A certificate credential in the configuration: `client_certificate_file` + `client_key_file` instead of a
/// secret. Each refusal has its own invalid fixture (invalid-certificate-*.yml); these are the accepted forms.
@Suite("Configuration: certificate credentials")
struct CertificateConfigTests {
    func config(_ auth: String, extra: String = "") -> String {
        """
        smtp:
          auth:
            mailbox: sender@contoso.com
            tenant_id: \(TestConfig.tenant)
            client_id: \(TestConfig.client)
        \(auth.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        notifications:
          to: [admin@contoso.com]
        \(extra)
        """
    }

    func load(_ auth: String, extra: String = "") async throws -> (ConfigLoader.Loaded, TemporaryDirectory, X509Certificate) {
        let material = try await CryptoMaterial.shared()
        let dir = TemporaryDirectory()
        try ConfigLoaderTests.writeCertificates(material, in: dir)
        let path = try dir.write("secretwatch.yml", config(auth, extra: extra))
        return (try ConfigLoader(environment: [:]).load(path: path), dir, try X509Certificate(pemFile: material.certificate))
    }

    @Test func theCredentialIsACertificateThatExpiresWithItsCertificate() async throws {
        let (loaded, dir, certificate) = try await load("client_certificate_file: app-cert.pem\nclient_key_file: app-key.pem")
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let auth = loaded.config.smtp.auth
        let configured = try #require(auth.authentication.certificate)
        #expect(configured == CertificateCredentialConfig(certificateFile: dir.file("app-cert.pem"), keyFile: dir.file("app-key.pem"),
                                                          algorithm: .ps256, thumbprint: certificate.sha1Thumbprint,
                                                          subject: certificate.subject, notAfter: certificate.notAfter))
        #expect(auth.secret == nil)
        let credential = auth.credential
        #expect(credential.type == .certificate && credential.expiresAt == certificate.notAfter)
        #expect(credential.thumbprint == certificate.sha1Thumbprint && credential.hasSecret)
        let settings = TokenEndpointSettings(config: loaded.config, environment: [:])
        #expect(settings.authentication == .certificate(configured))
    }

    @Test func oneFileWithKeyAndCertificateMayBeBothAndRS256MayBeChosen() async throws {
        let (loaded, _, certificate) = try await load("client_certificate_file: app-pair.pem\nclient_key_file: app-pair.pem\nclient_assertion_algorithm: RS256")
        let configured = try #require(loaded.config.smtp.auth.authentication.certificate)
        #expect(configured.algorithm == .rs256 && configured.thumbprint == certificate.sha1Thumbprint)
    }

    @Test func aKeyFileOthersCanReadIsAWarningAsForSecretFiles() async throws {
        let (loaded, dir, _) = try await load("client_certificate_file: app-cert.pem\nclient_key_file: open-key.pem")
        #expect(loaded.warnings.map(\.description) == [
            "smtp.auth.client_key_file: \"\(dir.file("open-key.pem"))\" is readable by group or others (mode 0644); run chmod 600 on it",
        ])
    }

    @Test func secretExpiresOnTheCertificatesDayIsAccepted() async throws {
        let material = try await CryptoMaterial.shared()
        let notAfter = try X509Certificate(pemFile: material.certificate).notAfter
        let (loaded, _, _) = try await load("client_certificate_file: app-cert.pem\nclient_key_file: app-key.pem\nsecret_expires: \(Timestamps.day(notAfter))")
        #expect(loaded.config.smtp.auth.secretExpires == notAfter)
    }

    @Test func aWatchedCredentialMayBeACertificateAndIsProbed() async throws {
        let (loaded, _, certificate) = try await load("client_certificate_file: app-cert.pem\nclient_key_file: app-key.pem", extra: """
            credentials:
              - name: portal
                tenant_id: \(TestConfig.tenant)
                client_id: \(TestConfig.otherClient)
                client_certificate_file: app-pair.pem
                client_key_file: app-pair.pem
            """)
        let portal = try #require(loaded.config.allCredentials.first { $0.name == "portal" })
        #expect(portal.type == .certificate && portal.expiresAt == certificate.notAfter && portal.thumbprint == certificate.sha1Thumbprint)
        let probed = TokenEndpointSettings.all(config: loaded.config, environment: [:]).map(\.credential)
        #expect(probed == ["smtp", "portal"])
    }
}
