internal import CSecretWatchOpenSSL

/// A certificate, key or signature operation that failed: a stable short `reason` (usable as a metric label),
/// a sentence saying what is wrong and with which file, and OpenSSL's own error strings when OpenSSL said why.
///
/// No error ever carries a byte of a private key: only paths, key types, thumbprints and OpenSSL's messages.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: String, Sendable {
        case fileUnreadable = "file_unreadable"
        case certificateInvalid = "certificate_invalid"
        case keyInvalid = "key_invalid"
        case keyEncrypted = "key_encrypted"
        case keyTypeUnsupported = "key_type_unsupported"
        case keyMismatch = "key_certificate_mismatch"
        case operationFailed = "openssl_failure"
    }

    private let kind: Kind
    /// What is wrong, naming the file (or what was being done) — without OpenSSL's part.
    public let message: String
    /// OpenSSL's error queue at the time of the failure (`ERR_error_string_n`, oldest first, "; "-joined), or
    /// nil when OpenSSL reported nothing.
    public let openSSLError: String?

    /// Stable short reason: `file_unreadable`, `certificate_invalid`, `key_invalid`, `key_encrypted`,
    /// `key_type_unsupported`, `key_certificate_mismatch` or `openssl_failure`.
    public var reason: String { kind.rawValue }

    public var description: String {
        guard let openSSLError else { return message }
        return "\(message) (OpenSSL: \(openSSLError))"
    }

    private init(_ kind: Kind, _ message: String, openSSLError: String? = nil) {
        self.kind = kind
        self.message = message
        self.openSSLError = openSSLError
    }

    // MARK: - Factories

    /// The file could not be opened or read, is not a regular file, or is too large.
    static func fileUnreadable(_ path: String, _ why: String) -> CryptoError {
        CryptoError(.fileUnreadable, "cannot read \"\(path)\": \(why)")
    }

    /// No certificate could be read from `source` (a path, or "PEM data"/"DER data").
    static func certificateInvalid(_ source: String, _ why: String) -> CryptoError {
        CryptoError(.certificateInvalid, "\(source): \(why)", openSSLError: OpenSSLErrorQueue.drain())
    }

    static func keyInvalid(_ source: String, _ why: String) -> CryptoError {
        CryptoError(.keyInvalid, "\(source): \(why)", openSSLError: OpenSSLErrorQueue.drain())
    }

    static func keyEncrypted(_ source: String) -> CryptoError {
        OpenSSLErrorQueue.clear()
        return CryptoError(.keyEncrypted, "\(source): the key is encrypted: secretwatch needs an unencrypted key file (mode 0600)")
    }

    static func keyTypeUnsupported(_ source: String, type: String) -> CryptoError {
        CryptoError(.keyTypeUnsupported, "\(source): the key is \(type), not RSA: secretwatch signs with RSA keys only (RS256, PS256)")
    }

    static func keyMismatch(key: String, certificate: X509Certificate) -> CryptoError {
        CryptoError(.keyMismatch, "\(key) is not the private key of the certificate \"\(certificate.subject)\" "
            + "(SHA-1 thumbprint \(certificate.sha1Thumbprint)): use the key the certificate was made from")
    }

    /// An OpenSSL call failed while doing `what` ("signing with PS256").
    static func operationFailed(_ what: String) -> CryptoError {
        CryptoError(.operationFailed, "OpenSSL failed while \(what)", openSSLError: OpenSSLErrorQueue.drain())
    }
}

/// OpenSSL's per-thread error queue.
enum OpenSSLErrorQueue {
    /// Every queued error as OpenSSL words it (`ERR_error_string_n`), oldest first; the queue is left empty.
    static func drain() -> String? {
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if lines.count < 8 {
                ERR_error_string_n(code, &buffer, buffer.count)
                let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                lines.append(String(decoding: text, as: UTF8.self))
            }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "; ")
    }

    static func clear() { ERR_clear_error() }
}
