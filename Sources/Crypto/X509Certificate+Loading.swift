import FoundationEssentials
internal import CSecretWatchOpenSSL

extension X509Certificate {
    /// The first certificate of a PEM file (other PEM blocks before it, such as a key, are skipped).
    public convenience init(pemFile path: String) throws(CryptoError) {
        let bytes = try CryptoFile.read(path, limit: CryptoFile.certificateLimit)
        try self.init(pem: bytes, source: "\"\(path)\"")
    }

    /// The first certificate of PEM text. `source` names it in errors ("PEM data" unless told).
    public convenience init(pem: some DataProtocol, source: String = "PEM data") throws(CryptoError) {
        let handles = try Self.handles(pem: Array(pem), source: source, limit: 1)
        try self.init(taking: handles[0], source: source)
    }

    /// One DER-encoded certificate (the whole input must be the certificate).
    public convenience init(der: some DataProtocol, source: String = "DER data") throws(CryptoError) {
        let bytes = Array(der)
        OpenSSLErrorQueue.clear()
        let parsed = bytes.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let x509 = d2i_X509(nil, &cursor, buffer.count)
            guard let x509, let base = buffer.baseAddress, cursor == base + buffer.count else {
                X509_free(x509)
                return nil
            }
            return x509
        }
        guard let parsed else { throw .certificateInvalid(source, "not a DER-encoded X.509 certificate") }
        try self.init(taking: parsed, source: source)
    }

    /// Every certificate of a PEM bundle (a CA file holds several), in file order. No certificate at all is an error.
    public static func all(inPEMFile path: String) throws(CryptoError) -> [X509Certificate] {
        let bytes = try CryptoFile.read(path, limit: CryptoFile.certificateLimit)
        return try certificates(pem: bytes, source: "\"\(path)\"")
    }

    /// Every certificate of PEM text, in order. No certificate at all is an error.
    public static func all(inPEM pem: some DataProtocol, source: String = "PEM data") throws(CryptoError) -> [X509Certificate] {
        try certificates(pem: Array(pem), source: source)
    }

    private static func certificates(pem: [UInt8], source: String) throws(CryptoError) -> [X509Certificate] {
        var handles = try handles(pem: pem, source: source, limit: .max)[...]
        var certificates: [X509Certificate] = []
        while let handle = handles.popFirst() {
            do {
                certificates.append(try X509Certificate(taking: handle, source: source))
            } catch {
                handles.forEach { X509_free($0) }
                throw error
            }
        }
        return certificates
    }

    /// Up to `limit` certificates; at least one, or `certificate_invalid` with OpenSSL's reason. A damaged
    /// block after good ones is an error too, not a silently shorter list.
    private static func handles(pem: [UInt8], source: String, limit: Int) throws(CryptoError) -> [OpaquePointer] {
        OpenSSLErrorQueue.clear()
        return try MemoryBIO.reading(pem, source: source) { bio throws(CryptoError) in
        var certificates: [OpaquePointer] = []
        while certificates.count < limit {
            guard let x509 = PEM_read_bio_X509(bio, nil, nil, nil) else {
                let last = ERR_peek_last_error()
                if !certificates.isEmpty && sw_err_is_pem_no_start_line(last) != 0 {
                    OpenSSLErrorQueue.clear()
                    break
                }
                let why = sw_err_is_pem_no_start_line(last) != 0
                    ? "no PEM certificate (\"-----BEGIN CERTIFICATE-----\") found"
                    : "certificate \(certificates.count + 1) cannot be read"
                certificates.forEach { X509_free($0) }
                throw .certificateInvalid(source, why)
            }
            certificates.append(x509)
        }
        return certificates
        }
    }
}
