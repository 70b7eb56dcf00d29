import Foundation

/// The SASL XOAUTH2 initial response: `base64("user=" + mailbox + "\x01auth=Bearer " + token + "\x01\x01")`.
struct XOAuth2Credentials: Sendable, Equatable {
    var user: String
    var token: String

    enum Problem: Error, Equatable {
        /// Not base64 at all (Exchange: `501 5.5.2 Cannot Decode response`).
        case notBase64
        /// Base64, but not `user=…^Aauth=Bearer …^A^A`.
        case malformed
    }

    static func decode(_ base64: String) -> Result<XOAuth2Credentials, Problem> {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespaces)) else { return .failure(.notBase64) }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasSuffix("\u{01}\u{01}") else { return .failure(.malformed) }
        var user: String?
        var token: String?
        for field in text.dropLast(2).split(separator: "\u{01}", omittingEmptySubsequences: false) {
            if field.hasPrefix("user=") {
                user = String(field.dropFirst(5))
            } else if field.hasPrefix("auth=") {
                let value = field.dropFirst(5)
                guard value.lowercased().hasPrefix("bearer ") else { return .failure(.malformed) }
                token = String(value.dropFirst(7))
            }
        }
        guard let user, !user.isEmpty, let token, !token.isEmpty else { return .failure(.malformed) }
        return .success(XOAuth2Credentials(user: user, token: token))
    }
}
