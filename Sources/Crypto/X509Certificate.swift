import FoundationEssentials
internal import CSecretWatchOpenSSL

/// One X.509 certificate, parsed once: its names, serial, validity, thumbprints and DER encoding are read when
/// it is loaded and kept as plain values.
///
/// `@unchecked Sendable`: the `X509` handle is owned by this object alone, freed in `deinit`, and only ever
/// read after `init` (public-key extraction and signature verification are read-only in OpenSSL 3).
public final class X509Certificate: @unchecked Sendable, Equatable, CustomStringConvertible {
    let handle: OpaquePointer

    /// The subject in OpenSSL 3's one-line form, as `openssl x509 -noout -subject` prints it except that letters
    /// beyond ASCII stay UTF-8 instead of `\C3\BC` escapes (`-nameopt oneline,-esc_msb`); control characters are
    /// escaped: `C = DE, O = "Contoso, Ltd", L = Zürich, CN = secretwatch`.
    public let subject: String
    /// The issuer, in the same form as `subject`.
    public let issuer: String
    /// The serial number in uppercase hexadecimal, as `openssl x509 -serial` prints it (`-` first when negative).
    public let serial: String
    public let notBefore: Date
    public let notAfter: Date
    /// The DER encoding: what the thumbprints are computed over.
    public let derBytes: [UInt8]
    /// SHA-1 of `derBytes` (20 bytes). Entra shows this as the certificate's thumbprint.
    public let sha1Digest: [UInt8]
    /// SHA-256 of `derBytes` (32 bytes).
    public let sha256Digest: [UInt8]

    /// The SHA-1 thumbprint in uppercase hexadecimal without separators, as Entra and Graph show it.
    public var sha1Thumbprint: String { Self.hex(sha1Digest) }
    /// The SHA-256 thumbprint in uppercase hexadecimal without separators.
    public var sha256Thumbprint: String { Self.hex(sha256Digest) }
    /// base64url of the SHA-1 digest: a JWT header's `x5t`.
    public var x5t: String { Base64URL.encode(sha1Digest) }
    /// base64url of the SHA-256 digest: a JWT header's `x5t#S256`.
    public var x5tS256: String { Base64URL.encode(sha256Digest) }

    public var description: String { "certificate \"\(subject)\" (SHA-1 \(sha1Thumbprint), valid until \(notAfter))" }

    /// Takes ownership of `handle` (freed even when reading a field fails).
    init(taking handle: OpaquePointer, source: String) throws(CryptoError) {
        self.handle = handle
        do {
            subject = try Self.name(X509_get_subject_name(handle), source: source)
            issuer = try Self.name(X509_get_issuer_name(handle), source: source)
            serial = Self.serial(X509_get0_serialNumber(handle))
            notBefore = try Self.date(X509_get0_notBefore(handle), source: source, field: "notBefore")
            notAfter = try Self.date(X509_get0_notAfter(handle), source: source, field: "notAfter")
            derBytes = try Self.der(handle, source: source)
            sha1Digest = try Self.digest(derBytes, EVP_sha1())
            sha256Digest = try Self.digest(derBytes, EVP_sha256())
        } catch {
            X509_free(handle)
            throw error
        }
    }

    deinit { X509_free(handle) }

    /// Two certificates are equal when their DER encodings are.
    public static func == (lhs: X509Certificate, rhs: X509Certificate) -> Bool { lhs.derBytes == rhs.derBytes }

    /// Whether `date` lies within notBefore...notAfter.
    public func isValid(at date: Date) -> Bool { notBefore <= date && date <= notAfter }

    // MARK: - Fields

    static func hex(_ bytes: [UInt8]) -> String { Digest.hex(bytes, uppercase: true) }

    private static func name(_ name: OpaquePointer?, source: String) throws(CryptoError) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { throw .certificateInvalid(source, "cannot read a name") }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, sw_name_print_flags()) >= 0 else {
            throw .certificateInvalid(source, "cannot print a name")
        }
        var contents: UnsafeMutablePointer<CChar>?
        let length = sw_bio_mem_contents(bio, &contents)
        guard length > 0, let contents else { return "" }
        return contents.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// The magnitude's bytes in hex, as `i2a_ASN1_INTEGER` (behind `openssl x509 -serial`) writes them.
    private static func serial(_ integer: UnsafePointer<ASN1_INTEGER>?) -> String {
        guard let integer, let data = ASN1_STRING_get0_data(integer) else { return "00" }
        let length = Int(ASN1_STRING_length(integer))
        let hex = length == 0 ? "00" : Self.hex(Array(UnsafeBufferPointer(start: data, count: length)))
        return ASN1_STRING_type(integer) == V_ASN1_NEG_INTEGER ? "-" + hex : hex
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?, source: String, field: String) throws(CryptoError) -> Date {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else {
            throw .certificateInvalid(source, "cannot read the certificate's \(field) date")
        }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    private static func der(_ handle: OpaquePointer, source: String) throws(CryptoError) -> [UInt8] {
        let length = i2d_X509(handle, nil)
        guard length > 0 else { throw .certificateInvalid(source, "cannot encode the certificate as DER") }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_X509(handle, &cursor)
        }
        guard written == length else { throw .certificateInvalid(source, "cannot encode the certificate as DER") }
        return bytes
    }

    static func digest(_ bytes: [UInt8], _ md: OpaquePointer?) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_Digest(bytes, bytes.count, &out, &length, md, nil) == 1 else { throw .operationFailed("computing a digest") }
        return Array(out[0..<Int(length)])
    }
}
