import Foundation
import Testing
import SecretWatchCrypto

/// RS256 and PS256 signatures made by `PrivateKey` verify with OpenSSL's own command line and with
/// `RSASignature.verify`; OpenSSL's signatures verify with ours; anything changed fails.
@Suite("RSASignature")
struct RSASignatureTests {
    static let signingInput = Data("eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2xvZ2luIn0".utf8)

    /// `openssl dgst -sha256 -verify` of `signature` over `data`; PS256 with a 32-byte salt.
    func opensslVerifies(_ signature: [UInt8], _ data: Data, _ algorithm: SignatureAlgorithm, _ m: CryptoMaterial) async throws -> Bool {
        let name = UUID().uuidString
        let dataPath = m.file("\(name).data"), signaturePath = m.file("\(name).sig")
        try data.write(to: URL(fileURLWithPath: dataPath))
        try Data(signature).write(to: URL(fileURLWithPath: signaturePath))
        defer { try? FileManager.default.removeItem(atPath: dataPath); try? FileManager.default.removeItem(atPath: signaturePath) }
        let pss = algorithm == .ps256 ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256"] : []
        let output = try await CryptoMaterial.openssl(["dgst", "-sha256", "-verify", m.publicKey] + pss + ["-signature", signaturePath, dataPath],
                                                      expectSuccess: false)
        return output.status == 0 && output.stdout.contains("Verified OK")
    }

    @Test(arguments: SignatureAlgorithm.allCases)
    func aSignatureVerifiesWithOpenSSLsCommandLineAndOurs(_ algorithm: SignatureAlgorithm) async throws {
        let m = try await CryptoMaterial.shared()
        let key = try PrivateKey(pemFile: m.key), certificate = try X509Certificate(pemFile: m.certificate)
        let signature = try key.sign(Self.signingInput, algorithm: algorithm)
        #expect(signature.count == 256)
        #expect(try await opensslVerifies(signature, Self.signingInput, algorithm, m))
        #expect(try RSASignature.verify(signature: signature, data: Self.signingInput, algorithm: algorithm, certificate: certificate))
    }

    @Test(arguments: SignatureAlgorithm.allCases)
    func aTamperedSignatureOrMessageFails(_ algorithm: SignatureAlgorithm) async throws {
        let m = try await CryptoMaterial.shared()
        let key = try PrivateKey(pemFile: m.key), certificate = try X509Certificate(pemFile: m.certificate)
        var signature = try key.sign(Self.signingInput, algorithm: algorithm)
        var message = Self.signingInput
        message[message.startIndex] ^= 1
        #expect(try !RSASignature.verify(signature: signature, data: message, algorithm: algorithm, certificate: certificate))
        #expect(try await !opensslVerifies(signature, message, algorithm, m))
        signature[100] ^= 0x40
        #expect(try !RSASignature.verify(signature: signature, data: Self.signingInput, algorithm: algorithm, certificate: certificate))
        #expect(try await !opensslVerifies(signature, Self.signingInput, algorithm, m))
        #expect(try !RSASignature.verify(signature: signature.prefix(10), data: Self.signingInput, algorithm: algorithm, certificate: certificate))
    }

    @Test func theAlgorithmsAreNotInterchangeable() async throws {
        let m = try await CryptoMaterial.shared()
        let key = try PrivateKey(pemFile: m.key), certificate = try X509Certificate(pemFile: m.certificate)
        let rs256 = try key.sign(Self.signingInput, algorithm: .rs256)
        let ps256 = try key.sign(Self.signingInput, algorithm: .ps256)
        #expect(try !RSASignature.verify(signature: rs256, data: Self.signingInput, algorithm: .ps256, certificate: certificate))
        #expect(try !RSASignature.verify(signature: ps256, data: Self.signingInput, algorithm: .rs256, certificate: certificate))
        #expect(try await !opensslVerifies(ps256, Self.signingInput, .rs256, m))
    }

    @Test func rs256IsDeterministicAndByteForByteOpenSSLsOwn() async throws {
        let m = try await CryptoMaterial.shared()
        let key = try PrivateKey(pemFile: m.key)
        let dataPath = m.file("\(UUID().uuidString).data"), signaturePath = dataPath + ".sig"
        try Self.signingInput.write(to: URL(fileURLWithPath: dataPath))
        defer { try? FileManager.default.removeItem(atPath: dataPath); try? FileManager.default.removeItem(atPath: signaturePath) }
        try await CryptoMaterial.openssl("dgst", "-sha256", "-sign", m.key, "-out", signaturePath, dataPath)
        let theirs = try Data(contentsOf: URL(fileURLWithPath: signaturePath))
        #expect(try key.sign(Self.signingInput, algorithm: .rs256) == Array(theirs))
        // PSS is randomised: two signatures differ, both valid.
        #expect(try key.sign(Self.signingInput, algorithm: .ps256) != key.sign(Self.signingInput, algorithm: .ps256))
    }

    @Test func openSSLsPSSSignatureVerifiesWithOurs() async throws {
        let m = try await CryptoMaterial.shared()
        let certificate = try X509Certificate(pemFile: m.certificate)
        let dataPath = m.file("\(UUID().uuidString).data"), signaturePath = dataPath + ".sig"
        try Self.signingInput.write(to: URL(fileURLWithPath: dataPath))
        defer { try? FileManager.default.removeItem(atPath: dataPath); try? FileManager.default.removeItem(atPath: signaturePath) }
        try await CryptoMaterial.openssl("dgst", "-sha256", "-sign", m.key, "-sigopt", "rsa_padding_mode:pss",
                                         "-sigopt", "rsa_pss_saltlen:32", "-out", signaturePath, dataPath)
        let theirs = try Data(contentsOf: URL(fileURLWithPath: signaturePath))
        #expect(try RSASignature.verify(signature: theirs, data: Self.signingInput, algorithm: .ps256, certificate: certificate))
    }

    @Test func anECCertificateVerifiesNoRSASignature() async throws {
        let m = try await CryptoMaterial.shared()
        let signature = try PrivateKey(pemFile: m.key).sign(Self.signingInput, algorithm: .ps256)
        #expect(try !RSASignature.verify(signature: signature, data: Self.signingInput, algorithm: .ps256,
                                         certificate: X509Certificate(pemFile: m.ecCertificate)))
    }
}
