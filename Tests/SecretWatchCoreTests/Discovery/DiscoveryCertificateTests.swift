import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// A configured certificate credential is found among its app's certificates in Graph by its SHA-1 thumbprint,
/// and a certificate that is not registered raises `secret_not_in_entra` before a token request fails.
@Suite("Discovery of configured certificate credentials")
struct DiscoveryCertificateTests {
    @Test func theCertificateInUseIsFoundByItsThumbprintAndAnUnregisteredOneIsAnAlarm() async throws {
        nonisolated(unsafe) var certificate: X509Certificate?
        // Client assertions are checked against the stand-in's real clock: the daemon's clock starts now, and the
        // next discovery is a minute later, within the accepted skew.
        let f = try DiscoveryFixture(discoveryExtra: "interval: 1m", auth: { token in
            let (identity, cert) = try token.appCertificate("smtp-app")
            certificate = cert
            return ["client_certificate_file: \(identity.certificatePath)", "client_key_file: \(identity.keyPath)"]
        })
        defer { f.close() }
        let cert = try #require(certificate)
        func key(_ id: String, thumbprint: String, created: Double) -> StandInKeyCredential {
            StandInKeyCredential(keyId: id, displayName: "CN=smtp-app", customKeyIdentifier: thumbprint,
                                 startDateTime: DiscoveryFixture.start.addingTimeInterval(-created * DiscoveryFixture.day),
                                 endDateTime: cert.notAfter)
        }
        let inUseKey = "ce70ce70-0000-4000-8000-00000000aaaa"
        f.graph.setApplications([f.smtpApp([], certificates: [key(inUseKey, thumbprint: cert.sha1Thumbprint, created: 30)])])
        f.clock.set(to: Date())
        let daemon = try f.daemon()
        _ = await daemon.runOnce()
        let smtp = try f.record(daemon, "smtp")
        #expect(smtp.credential.type == .certificate)
        let run = try daemon.store.discoveryRuns(tenant: "contoso").first
        #expect(run?.outcome == .success, "\(String(describing: run))")
        #expect(smtp.secretInUse?.state == .matched && smtp.secretInUse?.keyId == inUseKey, "\(String(describing: smtp.secretInUse))")
        #expect(try f.active(daemon, .secretNotInEntra, on: "smtp") == nil)
        #expect(try f.active(daemon, .expiryMismatch, on: "smtp") == nil)
        // The discovered row of that certificate is smtp's: one certificate, one set of alarms.
        #expect(try f.record(daemon, "ISE mail/CN=smtp-app").inUseBy == "smtp")

        // Someone replaced the app's certificate in Entra with another one.
        f.graph.setApplications([f.smtpApp([], certificates: [key("ce70ce70-0000-4000-8000-00000000bbbb",
                                                                  thumbprint: String(repeating: "AB", count: 20), created: 1)])])
        f.clock.advance(by: 61)
        _ = await daemon.runOnce()
        #expect(try f.record(daemon, "smtp").secretInUse?.state == .notInEntra)
        let alarm = try #require(try f.active(daemon, .secretNotInEntra, on: "smtp"))
        #expect(alarm.summary.hasPrefix("the certificate"), "\(alarm.summary)")
        let raised = try #require(try daemon.store.events(alarmId: alarm.id).first)
        #expect(raised.detail.contains(cert.sha1Thumbprint), "\(raised.detail)")
    }

    @Test func graphsCustomKeyIdentifierIsReadAsHexOrBase64() {
        let hex = "8F2A33B1C4D5E6F708192A3B4C5D6E7F80918273"
        let bytes = Data(stride(from: 0, to: hex.count, by: 2).map { i in
            UInt8(hex[hex.index(hex.startIndex, offsetBy: i)...hex.index(hex.startIndex, offsetBy: i + 1)], radix: 16)!
        })
        #expect(SecretInUseMatcher.thumbprintHex(hex.lowercased()) == hex)
        #expect(SecretInUseMatcher.thumbprintHex(bytes.base64EncodedString()) == hex)
        let app = GraphApplication(id: "o", appId: "app", displayName: nil, passwordCredentials: [], keyCredentials: [
            GraphKeyCredential(keyId: "k", displayName: nil, type: "AsymmetricX509Cert", usage: "Verify",
                               customKeyIdentifier: bytes.base64EncodedString(), startDateTime: nil, endDateTime: nil),
        ])
        #expect(SecretInUseMatcher.match(thumbprint: hex, clientId: "APP", in: [app], now: Date()).keyId == "k")
    }
}
