import Foundation
import Testing
@testable import SecretWatchCore

/// Throwaway keys and certificates made by the `openssl` command line (Debian package openssl), once per test
/// process, in a temporary directory removed at exit. One file per case the tests read.
struct CryptoMaterial: Sendable {
    let directory: String

    /// RSA 2048 key (PKCS#8) and its self-signed certificate, valid 30 days, with a comma and a non-ASCII letter in the subject.
    var key: String { file("key.pem") }
    var certificate: String { file("cert.pem") }
    /// The same key in the traditional `BEGIN RSA PRIVATE KEY` form.
    var traditionalKey: String { file("key-traditional.pem") }
    /// `certificate`'s public key, for `openssl dgst -verify`.
    var publicKey: String { file("pub.pem") }
    /// `certificate` in DER.
    var certificateDER: String { file("cert.der") }
    /// A certificate whose notAfter is yesterday (same key).
    var expiredCertificate: String { file("expired.pem") }
    /// Another RSA 2048 key: not `certificate`'s.
    var otherKey: String { file("other-key.pem") }
    /// `key` encrypted with a password: PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`) and traditional (`Proc-Type`).
    var encryptedKey: String { file("encrypted-key.pem") }
    var encryptedTraditionalKey: String { file("encrypted-traditional-key.pem") }
    /// An EC P-256 key and a certificate of it.
    var ecKey: String { file("ec-key.pem") }
    var ecCertificate: String { file("ec-cert.pem") }
    /// Three certificates in one file: `certificate`, `ecCertificate`, `expiredCertificate`.
    var bundle: String { file("bundle.pem") }
    /// A 1024-bit RSA key and its certificate: too short for Entra.
    var smallKey: String { file("small-key.pem") }
    var smallCertificate: String { file("small-cert.pem") }
    /// Random bytes where PEM belongs.
    var garbage: String { file("garbage.pem") }

    static let subject = "/C=DE/O=Contoso, Ltd/L=Zürich/CN=secretwatch assertion test"

    func file(_ name: String) -> String { directory + "/" + name }

    /// The material, made on first use (key generation takes a moment; every test shares it).
    static func shared() async throws -> CryptoMaterial { try await made.value }

    private static let made = Task { try await CryptoMaterial.make() }

    private static func make() async throws -> CryptoMaterial {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secretwatch-crypto-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        removeAtExit(directory)
        let m = CryptoMaterial(directory: directory)
        try await openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", m.key)
        try await openssl("req", "-x509", "-key", m.key, "-out", m.certificate, "-days", "30", "-utf8", "-subj", subject,
                          "-set_serial", "0x8FEDCBA98765432100")
        try await openssl("rsa", "-in", m.key, "-traditional", "-out", m.traditionalKey)
        try await openssl("x509", "-in", m.certificate, "-pubkey", "-noout", "-out", m.publicKey)
        try await openssl("x509", "-in", m.certificate, "-outform", "DER", "-out", m.certificateDER)
        try await openssl("req", "-new", "-key", m.key, "-subj", "/CN=expired", "-out", m.file("expired.csr"))
        try await openssl("x509", "-req", "-in", m.file("expired.csr"), "-key", m.key, "-days", "-1", "-out", m.expiredCertificate)
        try await openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", m.otherKey)
        try await openssl("pkcs8", "-topk8", "-in", m.key, "-v2", "aes256", "-passout", "pass:throwaway", "-out", m.encryptedKey)
        try await openssl("rsa", "-in", m.key, "-traditional", "-aes256", "-passout", "pass:throwaway",
                          "-out", m.encryptedTraditionalKey)
        try await openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", m.ecKey)
        try await openssl("req", "-x509", "-key", m.ecKey, "-out", m.ecCertificate, "-days", "3", "-subj", "/CN=ec")
        try await openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", m.smallKey)
        try await openssl("req", "-x509", "-key", m.smallKey, "-out", m.smallCertificate, "-days", "3", "-subj", "/CN=small")
        var bundle = ""
        for path in [m.certificate, m.ecCertificate, m.expiredCertificate] {
            bundle += try String(contentsOfFile: path, encoding: .utf8)
        }
        try bundle.write(toFile: m.bundle, atomically: true, encoding: .utf8)
        try Data((0..<600).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: m.garbage))
        return m
    }

    /// Runs `openssl` with these arguments; a failure fails the test with openssl's own output.
    @discardableResult
    static func openssl(_ arguments: String...) async throws -> ProcessOutput {
        try await openssl(arguments)
    }

    @discardableResult
    static func openssl(_ arguments: [String], expectSuccess: Bool = true) async throws -> ProcessOutput {
        let output = try await runProcess("/usr/bin/openssl", arguments, timeout: 120)
        if expectSuccess && output.status != 0 {
            throw TestFailure("openssl \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)\(output.stdout)")
        }
        return output
    }
}

nonisolated(unsafe) private var materialDirectory: String?

private func removeAtExit(_ directory: String) {
    materialDirectory = directory
    atexit {
        if let directory = materialDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }
}
