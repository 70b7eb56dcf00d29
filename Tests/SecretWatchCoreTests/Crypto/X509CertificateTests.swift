import Foundation
import Testing
import SecretWatchCrypto

/// `X509Certificate` reads the same fields `openssl x509` prints, from PEM, DER and bundles, and names what is
/// wrong with a file that holds no certificate.
@Suite("X509Certificate")
struct X509CertificateTests {
    /// `openssl x509 -noout -subject -issuer -serial -dates` and both fingerprints, as `name=value` pairs.
    /// OpenSSL's default name format escapes non-ASCII bytes (`Z\C3\BCrich`); `X509Certificate` keeps them as
    /// UTF-8, which is `-nameopt oneline,-esc_msb`.
    func printed(_ path: String, nameopt: [String] = []) async throws -> [String: String] {
        var fields: [String: String] = [:]
        for arguments in [["-subject", "-issuer", "-serial", "-dates", "-fingerprint", "-sha1"], ["-fingerprint", "-sha256"]] {
            let output = try await CryptoMaterial.openssl(["x509", "-in", path, "-noout"] + nameopt + arguments)
            for line in output.stdout.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
        }
        return fields
    }

    static func opensslDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy 'GMT'"
        return formatter.date(from: text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "))
    }

    func expectSameFields(_ certificate: X509Certificate, as path: String, nameopt: [String] = []) async throws {
        let openssl = try await printed(path, nameopt: nameopt)
        #expect(certificate.subject == openssl["subject"])
        #expect(certificate.issuer == openssl["issuer"])
        #expect(certificate.serial == openssl["serial"])
        #expect(certificate.notBefore == Self.opensslDate(openssl["notBefore"] ?? ""))
        #expect(certificate.notAfter == Self.opensslDate(openssl["notAfter"] ?? ""))
        #expect(certificate.sha1Thumbprint == openssl["sha1 Fingerprint"]?.replacingOccurrences(of: ":", with: ""))
        #expect(certificate.sha256Thumbprint == openssl["sha256 Fingerprint"]?.replacingOccurrences(of: ":", with: ""))
    }

    @Test func fieldsAreWhatOpenSSLPrints() async throws {
        let m = try await CryptoMaterial.shared()
        let certificate = try X509Certificate(pemFile: m.certificate)
        try await expectSameFields(certificate, as: m.certificate, nameopt: ["-nameopt", "oneline,-esc_msb"])
        #expect(try await printed(m.certificate)["subject"] == #"C = DE, O = "Contoso, Ltd", L = Z\C3\BCrich, CN = secretwatch assertion test"#)
        #expect(certificate.subject == #"C = DE, O = "Contoso, Ltd", L = Zürich, CN = secretwatch assertion test"#)
        #expect(certificate.serial == "8FEDCBA98765432100")
        #expect(certificate.notAfter.timeIntervalSince(certificate.notBefore) == 30 * 86400)
        #expect(certificate.isValid(at: Date()))
    }

    @Test func anExpiredCertificateSaysSoByItsDates() async throws {
        let m = try await CryptoMaterial.shared()
        let certificate = try X509Certificate(pemFile: m.expiredCertificate)
        try await expectSameFields(certificate, as: m.expiredCertificate)
        #expect(certificate.notAfter < Date())
        #expect(!certificate.isValid(at: Date()))
    }

    @Test func thumbprintsComeAsHexRawBytesAndBase64url() async throws {
        let m = try await CryptoMaterial.shared()
        let certificate = try X509Certificate(pemFile: m.certificate)
        #expect(certificate.sha1Digest.count == 20 && certificate.sha256Digest.count == 32)
        #expect(certificate.sha1Thumbprint.count == 40 && certificate.sha256Thumbprint == certificate.sha256Thumbprint.uppercased())
        #expect(Base64URL.decode(certificate.x5t) == Data(certificate.sha1Digest))
        #expect(Base64URL.decode(certificate.x5tS256) == Data(certificate.sha256Digest))
        #expect(!certificate.x5tS256.contains("=") && !certificate.x5tS256.contains("+") && !certificate.x5tS256.contains("/"))
    }

    @Test func derBytesAreOpenSSLsDERAndLoadBack() async throws {
        let m = try await CryptoMaterial.shared()
        let fromPEM = try X509Certificate(pemFile: m.certificate)
        let der = try Data(contentsOf: URL(fileURLWithPath: m.certificateDER))
        #expect(fromPEM.derBytes == Array(der))
        let fromDER = try X509Certificate(der: der)
        #expect(fromDER == fromPEM)
        #expect(fromDER.subject == fromPEM.subject && fromDER.sha256Thumbprint == fromPEM.sha256Thumbprint)
    }

    @Test func pemBytesLoadTheFirstCertificate() async throws {
        let m = try await CryptoMaterial.shared()
        let bundle = try Data(contentsOf: URL(fileURLWithPath: m.bundle))
        #expect(try X509Certificate(pem: bundle) == X509Certificate(pemFile: m.certificate))
    }

    @Test func aBundleOfThreeLoadsThreeInOrder() async throws {
        let m = try await CryptoMaterial.shared()
        let all = try X509Certificate.all(inPEMFile: m.bundle)
        #expect(all.count == 3)
        #expect(all.map(\.subject) == [#"C = DE, O = "Contoso, Ltd", L = Zürich, CN = secretwatch assertion test"#, "CN = ec", "CN = expired"])
        let text = try Data(contentsOf: URL(fileURLWithPath: m.bundle))
        #expect(try X509Certificate.all(inPEM: text).count == 3)
    }
}
