import FoundationEssentials
internal import CSecretWatchOpenSSL

/// An RSA private key, loaded from an unencrypted PEM file (PKCS#8 `BEGIN PRIVATE KEY` or traditional
/// `BEGIN RSA PRIVATE KEY`). It signs (`sign(_:algorithm:)`) and tells whether it belongs to a certificate
/// (`matches(_:)`); nothing else leaves it.
///
/// The key's bytes are never exposed: no property, description or error holds any of them, and the file's
/// bytes are wiped from memory once parsed. Callers therefore have nothing to register for log redaction and
/// must never read the key file themselves (its content must never be logged).
///
/// An encrypted key is refused (`key_encrypted`) without prompting: secretwatch runs unattended and needs an
/// unencrypted key file of mode 0600. A key that is not RSA is refused (`key_type_unsupported`).
///
/// `@unchecked Sendable`: the `EVP_PKEY` is owned by this object alone, freed in `deinit`, and never changed
/// after `init`; OpenSSL 3 allows concurrent signing with one key (each signature has its own context).
public final class PrivateKey: @unchecked Sendable, CustomStringConvertible {
    let handle: OpaquePointer
    /// Where the key came from, for messages: the quoted path, or "key data".
    public let source: String
    /// The RSA modulus size in bits (2048 for the keys Entra accepts at least).
    public let bits: Int

    /// Names the key by where it came from and its size only.
    public var description: String { "RSA \(bits)-bit private key from \(source)" }

    /// The key of a PEM file, read when called (the file is read whole, then wiped from memory).
    public convenience init(pemFile path: String) throws(CryptoError) {
        var bytes = try CryptoFile.read(path, limit: CryptoFile.keyLimit)
        defer { CryptoFile.wipe(&bytes) }
        try self.init(pem: bytes, source: "\"\(path)\"")
    }

    /// The key of PEM text. The caller owns (and should wipe) `pem`.
    public init(pem: [UInt8], source: String = "key data") throws(CryptoError) {
        OpenSSLErrorQueue.clear()
        let key = try MemoryBIO.reading(pem, source: source) { bio throws(CryptoError) in
            var encrypted: Int32 = 0
            guard let key = sw_read_private_key(bio, &encrypted) else {
                if encrypted != 0 { throw .keyEncrypted(source) }
                throw .keyInvalid(source, "no unencrypted PEM private key (\"-----BEGIN PRIVATE KEY-----\" or "
                                  + "\"-----BEGIN RSA PRIVATE KEY-----\") found")
            }
            return key
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            let type = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "of an unknown type"
            EVP_PKEY_free(key)
            throw .keyTypeUnsupported(source, type: type)
        }
        handle = key
        self.source = source
        bits = Int(EVP_PKEY_get_bits(key))
    }

    deinit { EVP_PKEY_free(handle) }

    /// Whether this key is the private half of `certificate`'s public key.
    public func matches(_ certificate: X509Certificate) -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        guard let publicKey = X509_get0_pubkey(certificate.handle) else { return false }
        return EVP_PKEY_eq(handle, publicKey) == 1
    }

    /// Throws `key_certificate_mismatch` (naming the certificate's subject and SHA-1 thumbprint) unless this key
    /// belongs to `certificate`.
    public func checkMatches(_ certificate: X509Certificate) throws(CryptoError) {
        guard matches(certificate) else { throw .keyMismatch(key: source, certificate: certificate) }
    }
}
