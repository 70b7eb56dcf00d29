import Foundation
import SecretWatchCrypto
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// A configured certificate credential expires with its certificate (notAfter, no date to type): the same
/// thresholds raise client_certificate_expiring, then client_certificate_expired, and the alarm e-mail says how to
/// make, upload and configure a new certificate.
@Suite("Certificate credentials: expiry alarms from the certificate")
struct CertificateExpiryTests {
    func portal(_ certificate: String, key: String) -> String {
        """
        credentials:
          - name: portal
            display_name: Guest portal app
            tenant_id: \(TestConfig.tenant)
            client_id: \(TestConfig.otherClient)
            client_certificate_file: \(certificate)
            client_key_file: \(key)
            token_endpoint: \(TestConfig.refusingTokenEndpoint)
        """
    }

    func copy(_ m: CryptoMaterial, certificate: String, into dir: TemporaryDirectory) throws -> (String, String) {
        (try dir.write("portal-cert.pem", try String(contentsOfFile: certificate, encoding: .utf8)),
         try dir.write("portal-key.pem", try String(contentsOfFile: m.key, encoding: .utf8), mode: 0o600))
    }

    @Test func thresholdsThenExpiredWithTheTestClock() async throws {
        let m = try await CryptoMaterial.shared()
        let dir = TemporaryDirectory()
        let (cert, key) = try copy(m, certificate: m.certificate, into: dir)
        let notAfter = try X509Certificate(pemFile: cert).notAfter
        let config = try TestConfig.load(in: dir, expires: notAfter.addingTimeInterval(400 * 86_400), extra: portal(cert, key: key))
        let clock = ManualClock(now: notAfter.addingTimeInterval(-31 * 86_400))
        let daemon = try Daemon(config: config, clock: clock)
        var seen: [String] = []
        for daysBefore in [31, 30, 14, 7, 1, -1] {
            clock.set(to: notAfter.addingTimeInterval(Double(-daysBefore) * 86_400 + 60))
            _ = try ExpiryEvaluator(engine: daemon.engine, policy: config.alarms).evaluate(now: clock.now())
            let active = try daemon.store.activeAlarms().filter { $0.credentialName == "portal" }
            seen.append(active.sorted { $0.kind.rawValue < $1.kind.rawValue }.map { "\($0.kind.rawValue)/\($0.thresholdDays.map(String.init) ?? "-")/\($0.severity.rawValue)" }.joined(separator: ","))
        }
        #expect(seen == ["", "client_certificate_expiring/30/warning", "client_certificate_expiring/14/warning",
                         "client_certificate_expiring/7/critical", "client_certificate_expiring/1/critical",
                         "client_certificate_expired/-/critical,client_certificate_expiring/1/critical"],
                "as for secrets, the last threshold's alarm stays beside the expired one until the rotation clears both")
        let record = try #require(try daemon.store.credential(named: "portal"))
        let thumbprint = try X509Certificate(pemFile: cert).sha1Thumbprint
        #expect(record.credential.type == .certificate && record.credential.thumbprint == thumbprint)
    }

    @Test func anExpiredCertificateStillLoadsAndRaisesExpiredWithRotationSteps() async throws {
        let m = try await CryptoMaterial.shared()
        let dir = TemporaryDirectory()
        let (cert, key) = try copy(m, certificate: m.expiredCertificate, into: dir)
        let certificate = try X509Certificate(pemFile: cert)
        #expect(certificate.notAfter < Date())
        let config = try TestConfig.load(in: dir, expires: Date().addingTimeInterval(400 * 86_400), extra: portal(cert, key: key))
        let daemon = try Daemon(config: config, clock: ManualClock(now: Date()))
        _ = await daemon.runOnce()
        let alarm = try #require(try daemon.store.activeAlarms().first { $0.credentialName == "portal" })
        #expect(alarm.kind == .clientCertificateExpired && alarm.expiresAt == certificate.notAfter)
        let mail = try #require(try daemon.store.outboxMessages().first { $0.alarmId == alarm.id })
        let content = mail.content.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "\r\n", with: "\n")
        #expect(content.contains("thumbprint:   \(certificate.sha1Thumbprint)"), "\(content)")
        #expect(content.contains("openssl req -x509 -newkey rsa:2048 -keyout portal-key.pem -out portal-cert.pem"), "\(content)")
        #expect(content.contains("Upload certificate, and upload portal-cert.pem"), "\(content)")
        #expect(content.contains("Point client_certificate_file and client_key_file of portal"))
        #expect(content.contains("delete the old certificate (thumbprint \(certificate.sha1Thumbprint))"))
    }
}
