import FoundationEssentials
internal import SecretWatchCrypto

/// How a credential authenticates: a client secret (`client_secret_file` / `client_secret_env` /
/// `client_secret_credential`) or a certificate
/// (`client_certificate_file` + `client_key_file`, `client_assertion_algorithm`), exactly one of them. A
/// certificate is checked at load: both files readable and regular, the certificate parses, the key is an
/// unencrypted RSA key of at least 2048 bits that belongs to the certificate, the key file is not readable by
/// others (a warning, as for secret files).
extension ConfigReader {
    static let secretFields = secretSourceKeys + ["client_secret"]
    static let certificateFields = ["client_certificate_file", "client_key_file"]

    /// The authentication, and whether certificate fields were given (then the expiry comes from the certificate).
    func readAuthentication(_ obj: YAMLObject, required: Bool) -> (authentication: ClientAuthentication?, certificateGiven: Bool) {
        let certificateGiven = Self.certificateFields.map { obj.has($0) }.contains(true)
        let secretGiven = Self.secretFields.map { obj.has($0) }.contains(true)
        if certificateGiven && secretGiven {
            problems.error(obj.path, "set either a client secret (client_secret_file, client_secret_credential or client_secret_env) or a certificate (client_certificate_file and client_key_file), not both")
            _ = readAlgorithm(obj)
            return (nil, true)
        }
        if certificateGiven {
            return (readCertificate(obj).map(ClientAuthentication.certificate), true)
        }
        if obj.has("client_assertion_algorithm") {
            problems.error(obj.fieldPath("client_assertion_algorithm"), "is only used with a certificate (client_certificate_file and client_key_file)")
        }
        if required && !secretGiven {
            problems.error(obj.path, "a client secret or certificate is required: set client_secret_file (a file with mode 0600), client_secret_credential or client_secret_env, or client_certificate_file and client_key_file")
            return (nil, false)
        }
        return (readSecretSource(obj, required: false).map(ClientAuthentication.secret), false)
    }

    /// `client_assertion_algorithm`: PS256 (default) or RS256.
    func readAlgorithm(_ obj: YAMLObject) -> SignatureAlgorithm? {
        guard let text = obj.string("client_assertion_algorithm") else { return .ps256 }
        guard let algorithm = SignatureAlgorithm(rawValue: text.uppercased()) else {
            problems.error(obj.fieldPath("client_assertion_algorithm"), "must be PS256 or RS256; got \"\(text)\"")
            return nil
        }
        return algorithm
    }

    /// The certificate and key, every problem of both files reported at once.
    func readCertificate(_ obj: YAMLObject) -> CertificateCredentialConfig? {
        let algorithm = readAlgorithm(obj)
        let certificateField = obj.fieldPath("client_certificate_file"), keyField = obj.fieldPath("client_key_file")
        let certificateFile = obj.string("client_certificate_file").map(absolute)
        let keyFile = obj.string("client_key_file").map(absolute)
        guard let certificateFile, let keyFile else {
            if certificateFile == nil {
                problems.error(obj.path, "client_certificate_file is required with client_key_file: the certificate registered on the app (a PEM file holding both the key and the certificate may be named in both fields)")
            } else {
                problems.error(obj.path, "client_key_file is required with client_certificate_file: the certificate's private key, a PEM file of mode 0600 (a PEM file holding both the key and the certificate may be named in both fields)")
            }
            return nil
        }
        var certificate: X509Certificate?
        do {
            certificate = try X509Certificate(pemFile: certificateFile)
        } catch {
            problems.error(certificateField, error.message)
        }
        if checkSecrets { checkKey(keyFile, field: keyField, certificate: certificate) }
        guard let certificate, let algorithm else { return nil }
        return CertificateCredentialConfig(certificateFile: certificateFile, keyFile: keyFile, algorithm: algorithm,
                                           thumbprint: certificate.sha1Thumbprint, subject: certificate.subject,
                                           notAfter: certificate.notAfter)
    }

    /// The key parses (unencrypted RSA), is long enough and belongs to `certificate`; its mode is 0600.
    private func checkKey(_ path: String, field: String, certificate: X509Certificate?) {
        let key: PrivateKey
        do {
            key = try PrivateKey(pemFile: path)
        } catch {
            problems.error(field, error.message)
            return
        }
        if let mode = SecretReader.mode(ofFile: path), mode & 0o077 != 0 {
            problems.warning(field, "\"\(path)\" is readable by group or others (mode \(String(mode, radix: 8).leftPadded(to: 4))); run chmod 600 on it")
        }
        if key.bits < CertificateCredentialConfig.minimumKeyBits {
            problems.error(field, "\"\(path)\" holds a \(key.bits)-bit RSA key: Entra needs at least \(CertificateCredentialConfig.minimumKeyBits) bits (make a new key and certificate, docs/certificates.md)")
        }
        if let certificate {
            do {
                try key.checkMatches(certificate)
            } catch {
                problems.error(field, error.message)
            }
        }
    }

    /// A certificate credential's expiry is the certificate's notAfter. `secret_expires` is not needed; given, it
    /// must name the same day (within a day of notAfter), or it is refused: the date comes from the certificate.
    func readCertificateExpiry(_ obj: YAMLObject, certificate: CertificateCredentialConfig?) -> Date? {
        guard obj.has("secret_expires") else { return certificate?.notAfter }
        guard let written = readDate(obj, "secret_expires") else { return nil }
        guard let certificate else { return nil }
        if abs(written.timeIntervalSince(certificate.notAfter)) > 86_400 {
            problems.error(obj.fieldPath("secret_expires"), "\(Timestamps.rfc3339(written)) is not the certificate's expiry (notAfter \(Timestamps.rfc3339(certificate.notAfter)) of \"\(certificate.certificateFile)\"): a certificate credential's expiry comes from its certificate; remove secret_expires")
            return nil
        }
        return certificate.notAfter
    }
}
