import FoundationEssentials
public import SecretWatchCrypto

/// A signed client assertion (RFC 7523) for Entra's client-credentials grant with a certificate credential:
/// a compact JWS sent as `client_assertion` with `client_assertion_type` = `ClientAssertion.type`.
///
/// Header: `alg` (PS256 or RS256), `typ` JWT, `x5t#S256` (base64url SHA-256 of the certificate's DER) and,
/// for RS256, `x5t` (base64url SHA-1). Claims: `aud` the token endpoint URL, `iss` = `sub` the client id,
/// a unique `jti`, `iat` = `nbf` = now and `exp` = now + lifetime (at most 10 minutes), in whole seconds.
public enum ClientAssertion {
    /// The `client_assertion_type` form field's value.
    public static let type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// Entra accepts an assertion valid for at most 10 minutes.
    public static let maximumLifetime: TimeInterval = 600

    /// The compact JWS `header.claims.signature`. The key must belong to the certificate (`key_certificate_mismatch`
    /// otherwise: Entra would answer AADSTS700027). `lifetime` must lie in 1...600 seconds.
    public static func make(clientId: String, tokenEndpoint: String, certificate: X509Certificate, key: PrivateKey,
                            algorithm: SignatureAlgorithm = .ps256, now: Date,
                            lifetime: TimeInterval = maximumLifetime, jti: UUID = UUID()) throws(CryptoError) -> String {
        precondition(lifetime >= 1 && lifetime <= maximumLifetime, "a client assertion lives 1 s to 10 minutes")
        try key.checkMatches(certificate)
        let issued = Int(now.timeIntervalSince1970.rounded(.down))
        let header = Header(alg: algorithm.rawValue, typ: "JWT", x5tS256: certificate.x5tS256,
                            x5t: algorithm == .rs256 ? certificate.x5t : nil)
        let claims = Claims(aud: tokenEndpoint, iss: clientId, sub: clientId, jti: jti.uuidString.lowercased(),
                            iat: issued, nbf: issued, exp: issued + Int(lifetime))
        let signingInput = Base64URL.encode(encode(header)) + "." + Base64URL.encode(encode(claims))
        let signature = try key.sign(Data(signingInput.utf8), algorithm: algorithm)
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// The JOSE header.
    struct Header: Codable, Equatable, Sendable {
        var alg: String
        var typ: String
        var x5tS256: String
        var x5t: String?

        enum CodingKeys: String, CodingKey {
            case alg, typ, x5t
            case x5tS256 = "x5t#S256"
        }
    }

    /// The claims Entra checks.
    struct Claims: Codable, Equatable, Sendable {
        var aud: String
        var iss: String
        var sub: String
        var jti: String
        var iat: Int
        var nbf: Int
        var exp: Int
    }

    private static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and integers only: encoding cannot fail.
        return try! encoder.encode(value)
    }
}
