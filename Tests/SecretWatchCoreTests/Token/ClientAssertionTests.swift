import Foundation
import Testing
import SecretWatchCrypto
@testable import SecretWatchCore

/// A client assertion is a compact JWS whose header and claims are exactly what Entra checks, signed so that
/// OpenSSL's command line and `RSASignature` verify it with the certificate's key.
@Suite("ClientAssertion")
struct ClientAssertionTests {
    static let endpoint = "https://login.microsoftonline.com/\(TestConfig.tenant)/oauth2/v2.0/token"
    static let now = Date(timeIntervalSince1970: 1_795_000_000.75)

    struct Parts {
        var header: [String: Any]
        var claims: [String: Any]
        var signingInput: String
        var signature: Data
    }

    /// Splits and decodes a compact JWS; every part must be base64url without padding.
    func parts(_ jwt: String) throws -> Parts {
        let pieces = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(pieces.count == 3)
        func object(_ text: String) throws -> [String: Any] {
            let data = try #require(Base64URL.decode(text))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        return Parts(header: try object(pieces[0]), claims: try object(pieces[1]), signingInput: pieces[0] + "." + pieces[1],
                     signature: try #require(Base64URL.decode(pieces[2])))
    }

    func make(_ algorithm: SignatureAlgorithm, jti: UUID = UUID(), lifetime: TimeInterval = 600) async throws
        -> (jwt: String, certificate: X509Certificate, material: CryptoMaterial) {
        let m = try await CryptoMaterial.shared()
        let certificate = try X509Certificate(pemFile: m.certificate)
        let jwt = try ClientAssertion.make(clientId: TestConfig.client, tokenEndpoint: Self.endpoint, certificate: certificate,
                                           key: PrivateKey(pemFile: m.key), algorithm: algorithm, now: Self.now,
                                           lifetime: lifetime, jti: jti)
        return (jwt, certificate, m)
    }

    @Test func ps256HeaderNamesTheCertificateBySHA256() async throws {
        let (jwt, certificate, _) = try await make(.ps256)
        let header = try parts(jwt).header
        #expect(Set(header.keys) == ["alg", "typ", "x5t#S256"])
        #expect(header["alg"] as? String == "PS256")
        #expect(header["typ"] as? String == "JWT")
        #expect(header["x5t#S256"] as? String == certificate.x5tS256)
    }

    @Test func rs256HeaderAlsoCarriesTheSHA1Thumbprint() async throws {
        let (jwt, certificate, _) = try await make(.rs256)
        let header = try parts(jwt).header
        #expect(Set(header.keys) == ["alg", "typ", "x5t", "x5t#S256"])
        #expect(header["alg"] as? String == "RS256")
        #expect(header["x5t"] as? String == certificate.x5t)
        #expect(Base64URL.decode(certificate.x5t) == Data(certificate.sha1Digest))
    }

    @Test func claimsAreExactlyWhatEntraChecks() async throws {
        let jti = UUID()
        let (jwt, _, _) = try await make(.ps256, jti: jti, lifetime: 300)
        let claims = try parts(jwt).claims
        #expect(Set(claims.keys) == ["aud", "iss", "sub", "jti", "iat", "nbf", "exp"])
        #expect(claims["aud"] as? String == Self.endpoint)
        #expect(claims["iss"] as? String == TestConfig.client)
        #expect(claims["sub"] as? String == TestConfig.client)
        #expect(claims["jti"] as? String == jti.uuidString.lowercased())
        #expect(claims["iat"] as? Int == 1_795_000_000)
        #expect(claims["nbf"] as? Int == 1_795_000_000)
        #expect(claims["exp"] as? Int == 1_795_000_300)
        #expect(!jwt.contains("=") && !jwt.contains("+") && !jwt.contains("/"), "base64url without padding: \(jwt)")
    }

    @Test func byDefaultEachAssertionHasItsOwnJTIAndLivesAtMostTenMinutes() async throws {
        let m = try await CryptoMaterial.shared()
        let certificate = try X509Certificate(pemFile: m.certificate), key = try PrivateKey(pemFile: m.key)
        let claims = try (0..<2).map { _ in
            try parts(ClientAssertion.make(clientId: TestConfig.client, tokenEndpoint: Self.endpoint, certificate: certificate,
                                           key: key, now: Self.now)).claims
        }
        #expect(claims[0]["jti"] as? String != claims[1]["jti"] as? String)
        for claim in claims {
            let jti = try #require(claim["jti"] as? String)
            #expect(UUID(uuidString: jti) != nil, "a GUID: \(jti)")
            let lifetime = try #require(claim["exp"] as? Int) - (try #require(claim["nbf"] as? Int))
            #expect(lifetime > 0 && lifetime <= 600)
        }
    }

    @Test(arguments: SignatureAlgorithm.allCases)
    func theSignatureVerifiesWithOpenSSLsCommandLineAndOurs(_ algorithm: SignatureAlgorithm) async throws {
        let (jwt, certificate, m) = try await make(algorithm)
        let parts = try parts(jwt)
        #expect(try RSASignature.verify(signature: parts.signature, data: Data(parts.signingInput.utf8), algorithm: algorithm,
                                        certificate: certificate))
        let name = m.file(UUID().uuidString)
        try Data(parts.signingInput.utf8).write(to: URL(fileURLWithPath: name + ".input"))
        try parts.signature.write(to: URL(fileURLWithPath: name + ".sig"))
        defer { try? FileManager.default.removeItem(atPath: name + ".input"); try? FileManager.default.removeItem(atPath: name + ".sig") }
        let pss = algorithm == .ps256 ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"] : []
        let output = try await CryptoMaterial.openssl(["dgst", "-sha256", "-verify", m.publicKey] + pss
                                                      + ["-signature", name + ".sig", name + ".input"])
        #expect(output.stdout.contains("Verified OK"))
    }

    @Test func aKeyThatIsNotTheCertificatesIsRefusedBeforeSigning() async throws {
        let m = try await CryptoMaterial.shared()
        let error = #expect(throws: CryptoError.self) {
            try ClientAssertion.make(clientId: TestConfig.client, tokenEndpoint: Self.endpoint,
                                     certificate: X509Certificate(pemFile: m.certificate), key: PrivateKey(pemFile: m.otherKey),
                                     now: Self.now)
        }
        #expect(error?.reason == "key_certificate_mismatch")
    }
}
