import FoundationEssentials
internal import CSecretWatchOpenSSL

/// Message digests over libcrypto's one-shot `EVP_Digest`, for keys and identifiers (never for passwords).
public enum Digest {
    /// SHA-256 of `bytes` (32 bytes).
    ///
    /// SHA-256 from OpenSSL's default provider fails only when memory cannot be allocated; that stops the process
    /// like any other allocation failure instead of making every caller handle an error that cannot happen.
    public static func sha256(_ bytes: some DataProtocol) -> [UInt8] {
        let input = Array(bytes)
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_Digest(input, input.count, &out, &length, EVP_sha256(), nil) == 1, length == 32 else {
            OpenSSLErrorQueue.clear()
            preconditionFailure("OpenSSL could not compute a SHA-256 digest (out of memory)")
        }
        return Array(out[0..<32])
    }

    /// SHA-256 of `bytes` in lowercase hexadecimal (64 characters), as `sha256sum` prints it.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(sha256(bytes))
    }

    /// SHA-256 of the UTF-8 bytes of `text` in lowercase hexadecimal.
    public static func sha256Hex(_ text: String) -> String {
        hex(sha256(Array(text.utf8)))
    }

    /// Hexadecimal without separators, lowercase unless `uppercase`.
    public static func hex(_ bytes: [UInt8], uppercase: Bool = false) -> String {
        let digits = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
