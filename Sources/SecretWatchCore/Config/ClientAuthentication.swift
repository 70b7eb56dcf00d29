import FoundationEssentials
public import SecretWatchCrypto

/// A certificate credential as configured (`client_certificate_file` + `client_key_file`), checked when the
/// configuration was loaded. The key itself is never kept: it is read from its file for each signed assertion.
public struct CertificateCredentialConfig: Sendable, Equatable {
    /// PEM file holding the certificate (a file holding the key and the certificate may be both files).
    public var certificateFile: String
    /// PEM file holding the unencrypted RSA private key (mode 0600).
    public var keyFile: String
    /// `client_assertion_algorithm`: PS256 (default) or RS256.
    public var algorithm: SignatureAlgorithm
    /// The certificate's SHA-1 thumbprint in hex, as Entra shows it under Certificates & secrets.
    public var thumbprint: String
    public var subject: String
    /// The certificate's notAfter: the credential's expiry.
    public var notAfter: Date

    /// Entra refuses RSA keys shorter than this.
    public static let minimumKeyBits = 2048

    public init(certificateFile: String, keyFile: String, algorithm: SignatureAlgorithm = .ps256, thumbprint: String,
                subject: String, notAfter: Date) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.algorithm = algorithm
        self.thumbprint = thumbprint
        self.subject = subject
        self.notAfter = notAfter
    }

    /// What the certificate of `certificateFile` and the key of `keyFile` make, checked as at load time.
    public static func load(certificateFile: String, keyFile: String,
                            algorithm: SignatureAlgorithm = .ps256) throws(CryptoError) -> CertificateCredentialConfig {
        let certificate = try X509Certificate(pemFile: certificateFile)
        let key = try PrivateKey(pemFile: keyFile)
        try key.checkMatches(certificate)
        return CertificateCredentialConfig(certificateFile: certificateFile, keyFile: keyFile, algorithm: algorithm,
                                           thumbprint: certificate.sha1Thumbprint, subject: certificate.subject,
                                           notAfter: certificate.notAfter)
    }

    public var description: String {
        "certificate \(certificateFile) (SHA-1 thumbprint \(thumbprint)) with key \(keyFile), \(algorithm)"
    }
}

/// How a credential proves itself to the token endpoint: a client secret, or a certificate whose key signs a
/// client assertion.
public enum ClientAuthentication: Sendable, Equatable {
    case secret(SecretSource)
    case certificate(CertificateCredentialConfig)

    public var secret: SecretSource? {
        if case .secret(let source) = self { source } else { nil }
    }

    public var certificate: CertificateCredentialConfig? {
        if case .certificate(let certificate) = self { certificate } else { nil }
    }

    public var type: CredentialType {
        if case .certificate = self { .certificate } else { .secret }
    }

    /// Where the secret or the certificate and key live (for messages; never a value).
    public var description: String {
        switch self {
        case .secret(let source): source.description
        case .certificate(let certificate): certificate.description
        }
    }
}
