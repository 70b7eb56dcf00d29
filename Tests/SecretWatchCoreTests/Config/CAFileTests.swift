import Foundation
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

/// The load-time check of `smtp.ca_file` / `token.ca_file`: PEM structure and base64 DER, not certificate policy.
@Suite("ca_file: PEM certificate check")
struct CAFileTests {
    @Test func aRealCertificateAndBundlesAroundItPass() throws {
        let pki = try ThrowawayPKI()
        defer { pki.remove() }
        let ca = try pki.makeAuthority(named: "lab-ca")
        #expect(CAFile.problem(ca.certificatePath) == nil)
        let pem = try String(contentsOfFile: ca.certificatePath, encoding: .utf8)
        // Comments, other blocks, several certificates and CRLF line ends are what bundles look like.
        let bundle = "# corporate bundle\n-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n" + pem + "\n" + pem
        #expect(CAFile.problem(in: bundle, path: "b.pem") == nil)
        #expect(CAFile.problem(in: pem.replacingOccurrences(of: "\n", with: "\r\n"), path: "crlf.pem") == nil)
        #expect(CAFile.problem(in: pem.replacingOccurrences(of: "CERTIFICATE", with: "TRUSTED CERTIFICATE"), path: "t.pem") == nil)
    }

    @Test func theSystemBundlePasses() throws {
        let path = "/etc/ssl/certs/ca-certificates.crt"
        try #require(FileManager.default.fileExists(atPath: path), "no system CA bundle on this machine")
        #expect(CAFile.problem(path) == nil)
    }

    @Test(arguments: [
        ("secretwatch-host\n", "\"x.pem\" holds no certificate (expected a PEM CA bundle: \"-----BEGIN CERTIFICATE-----\" blocks)"),
        ("", "\"x.pem\" holds no certificate (expected a PEM CA bundle: \"-----BEGIN CERTIFICATE-----\" blocks)"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "\"x.pem\" holds no certificate (expected a PEM CA bundle: \"-----BEGIN CERTIFICATE-----\" blocks)"),
        ("-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n", "\"x.pem\": the certificate at line 1 is damaged (its base64 does not decode to one DER certificate)"),
        ("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n", "\"x.pem\": the certificate at line 1 is damaged (its base64 does not decode to one DER certificate)"),
        ("\n-----BEGIN CERTIFICATE-----\nMIIB\n", "\"x.pem\": the certificate at line 2 has no \"-----END CERTIFICATE-----\" line"),
        ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END PRIVATE KEY-----\n", "\"x.pem\": the block at line 1 ends with \"-----END PRIVATE KEY-----\" instead of \"-----END CERTIFICATE-----\""),
    ])
    func whatIsNotACertificateIsNamed(text: String, message: String) {
        #expect(CAFile.problem(in: text, path: "x.pem") == message)
    }

    @Test func aCertificateCutShortIsDamaged() throws {
        let pki = try ThrowawayPKI()
        defer { pki.remove() }
        let pem = try String(contentsOfFile: pki.makeAuthority(named: "lab-ca").certificatePath, encoding: .utf8)
        var lines = pem.split(separator: "\n").map(String.init)
        lines.remove(at: 3) // one base64 line of the body gone: still base64, no longer one whole DER structure
        #expect(CAFile.problem(in: lines.joined(separator: "\n"), path: "cut.pem")?.contains("is damaged") == true)
    }

    @Test func aFIFOOrADirectoryIsRefusedWithoutBlocking() throws {
        let dir = TemporaryDirectory()
        #expect(mkfifo(dir.file("fifo"), 0o600) == 0)
        #expect(CAFile.problem(dir.file("fifo")) == "\"\(dir.file("fifo"))\" is not a regular file (it is a FIFO)")
        #expect(CAFile.problem(dir.path) == "\"\(dir.path)\" is a directory, not a file")
        #expect(CAFile.problem("/dev/null") == "\"/dev/null\" is not a regular file (it is a character device)")
    }
}
