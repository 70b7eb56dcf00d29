import FoundationEssentials
internal import CSecretWatchOpenSSL

extension PrivateKey {
    /// The signature of `data` (SHA-256 digest, then RSA as `algorithm` says): as many bytes as the modulus.
    public func sign(_ data: some DataProtocol, algorithm: SignatureAlgorithm) throws(CryptoError) -> [UInt8] {
        let message = Array(data)
        OpenSSLErrorQueue.clear()
        guard let context = EVP_MD_CTX_new() else { throw .operationFailed("signing with \(algorithm)") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestSignInit(context, &keyContext, EVP_sha256(), nil, handle) == 1,
              RSASignature.configure(keyContext, algorithm) else {
            throw .operationFailed("preparing to sign with \(algorithm)")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw .operationFailed("signing with \(algorithm)")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw .operationFailed("signing with \(algorithm)")
        }
        return Array(signature[0..<length])
    }
}

/// Verification of RS256 and PS256 signatures against a certificate's public key (for tests and stand-ins).
public enum RSASignature {
    /// Whether `signature` is `algorithm`'s signature of `data` by the key of `certificate`. A wrong or damaged
    /// signature is `false`; only a failure to run the check at all throws.
    public static func verify(signature: some DataProtocol, data: some DataProtocol, algorithm: SignatureAlgorithm,
                              certificate: X509Certificate) throws(CryptoError) -> Bool {
        let signature = Array(signature), message = Array(data)
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        guard let publicKey = X509_get0_pubkey(certificate.handle) else {
            throw .operationFailed("reading the public key of \(certificate)")
        }
        guard EVP_PKEY_get_base_id(publicKey) == EVP_PKEY_RSA else { return false }
        guard let context = EVP_MD_CTX_new() else { throw .operationFailed("verifying a \(algorithm) signature") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestVerifyInit(context, &keyContext, EVP_sha256(), nil, publicKey) == 1,
              configure(keyContext, algorithm) else {
            throw .operationFailed("preparing to verify a \(algorithm) signature")
        }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }

    /// PKCS#1 v1.5 padding for RS256; PSS with MGF1-SHA-256 and a 32-byte salt for PS256.
    static func configure(_ keyContext: OpaquePointer?, _ algorithm: SignatureAlgorithm) -> Bool {
        guard let keyContext else { return false }
        switch algorithm {
        case .rs256:
            return EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1
        case .ps256:
            return EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, SignatureAlgorithm.pssSaltLength) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, EVP_sha256()) == 1
        }
    }
}
