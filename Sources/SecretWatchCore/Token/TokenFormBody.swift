import Foundation

/// The client-credentials request body (`application/x-www-form-urlencoded`): every value percent-encoded
/// except RFC 3986's unreserved characters, so a secret holding `+`, `&`, `=` or `%` arrives intact.
enum TokenFormBody {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// The body for a client secret. The encoded secret is registered with the `Redactor` too: it is the form
    /// that would show up if a proxy page echoed the request.
    static func clientCredentials(clientId: String, secret: String, scope: String) -> String {
        let encodedSecret = escape(secret)
        Redactor.shared.register(encodedSecret)
        return [("grant_type", "client_credentials"), ("client_id", escape(clientId)),
                ("client_secret", encodedSecret), ("scope", escape(scope))]
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }
}
