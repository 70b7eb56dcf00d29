/// The JOSE signature algorithms secretwatch signs client assertions with (RFC 7518 §3.3, §3.5).
public enum SignatureAlgorithm: String, Sendable, CaseIterable, CustomStringConvertible {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (the digest's length), as JOSE requires.
    case ps256 = "PS256"

    /// The JOSE name: the JWT header's `alg`.
    public var description: String { rawValue }

    /// The salt length of PS256: the SHA-256 digest's length.
    public static let pssSaltLength: Int32 = 32
}
