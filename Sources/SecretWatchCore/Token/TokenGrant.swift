import Foundation

/// A successful token answer: `{"token_type":"Bearer","expires_in":3599,"access_token":"…"}`.
/// `expires_in` may come as a number or a string (older endpoints); it is never assumed to be 3600.
struct TokenGrant: Sendable {
    var accessToken: String
    var expiresIn: Int
    var tokenType: String

    /// nil when the body is not such an answer (no JSON, no access_token, no positive lifetime).
    static func parse(_ body: Data) -> TokenGrant? {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let token = object["access_token"] as? String, !token.isEmpty else { return nil }
        let lifetime: Int?
        switch object["expires_in"] {
        case let n as Int: lifetime = n
        case let s as String: lifetime = Int(s)
        case let d as Double: lifetime = Int(d)
        default: lifetime = nil
        }
        guard let lifetime, lifetime > 0 else { return nil }
        return TokenGrant(accessToken: token, expiresIn: lifetime, tokenType: object["token_type"] as? String ?? "Bearer")
    }
}
