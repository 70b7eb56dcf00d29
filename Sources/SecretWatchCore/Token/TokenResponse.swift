import FoundationEssentials

/// A successful token answer: `{"token_type":"Bearer","expires_in":3599,"access_token":"…"}`.
/// `expires_in` may come as a number or a string (older endpoints); it is never assumed to be 3600.
struct TokenGrant: Sendable {
    var accessToken: String
    var expiresIn: Int
    var tokenType: String

    /// nil when the body is not such an answer (no JSON, no access_token, no positive lifetime).
    static func parse(_ body: Data) -> TokenGrant? {
        guard let object = JSONValue.parse(body)?.object,
              let token = object["access_token"]?.string, !token.isEmpty else { return nil }
        let lifetime: Int?
        switch object["expires_in"] {
        case .number?: lifetime = object["expires_in"]?.truncatedInteger
        case .string(let s)?: lifetime = Int(s)
        default: lifetime = nil
        }
        guard let lifetime, lifetime > 0 else { return nil }
        return TokenGrant(accessToken: token, expiresIn: lifetime, tokenType: object["token_type"]?.string ?? "Bearer")
    }
}

/// An OAuth access token. Lives in memory only: never in SQLite, logs, metrics or API answers; its
/// descriptions print no value.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public let obtainedAt: Date
    public let expiresAt: Date

    public init(value: String, obtainedAt: Date, expiresAt: Date) {
        self.value = value
        self.obtainedAt = obtainedAt
        self.expiresAt = expiresAt
        Redactor.shared.registerEphemeral(value)
    }

    public var lifetime: TimeInterval { expiresAt.timeIntervalSince(obtainedAt) }
    public var description: String { "AccessToken(expires \(Timestamps.rfc3339(expiresAt)))" }
    public var debugDescription: String { description }
}

/// Hands out valid tokens for a credential (by name), and forgets one that a server refused.
/// The production implementation caches per (credential, scope) and shares in-flight requests.
public protocol TokenProvider: Sendable {
    func token(for credential: String) async throws -> AccessToken
    func invalidate(credential: String, token: AccessToken) async
}

/// Microsoft's error JSON: `{error, error_description, error_codes:[n], timestamp, trace_id, correlation_id}`.
struct TokenErrorAnswer: Sendable, Equatable {
    var error: String
    /// `AADSTSnnnn: text\r\nTrace ID: …` as sent.
    var description: String?
    var aadstsCode: Int?
    var traceId: String?
    var correlationId: String?

    /// nil when the body is not Microsoft's error JSON (an HTML page, say).
    static func parse(_ body: Data) -> TokenErrorAnswer? {
        guard let object = JSONValue.parse(body)?.object, let error = object["error"]?.string else { return nil }
        let description = object["error_description"]?.string
        var code = object["error_codes"]?.array?.first.flatMap { $0.integer ?? Int($0.text) }
        if code == nil, let description { code = Self.code(in: description) }
        return TokenErrorAnswer(error: error, description: description, aadstsCode: code,
                                traceId: object["trace_id"]?.string, correlationId: object["correlation_id"]?.string)
    }

    /// The first line of the description without its `AADSTSnnnn: ` prefix (the part worth showing).
    var summary: String {
        guard let description else { return error }
        let first = description.split(whereSeparator: \.isNewline).first.map(String.init) ?? description
        if let colon = first.literalRange(of: ": "), first.hasPrefix("AADSTS") { return String(first[colon.upperBound...]) }
        return first
    }

    /// `AADSTS7000215: …` → 7000215.
    static func code(in text: String) -> Int? {
        guard let range = text.literalRange(of: "AADSTS") else { return nil }
        return Int(text[range.upperBound...].prefix(while: { $0.isASCII && $0.isNumber }))
    }
}

/// `Retry-After` as seconds: either a number of seconds or an HTTP date (RFC 9110 §10.2.3).
enum RetryAfter {
    static func parse(_ value: String?, now: Date) -> TimeInterval? {
        guard let value = value?.trimmingSpaces, !value.isEmpty else { return nil }
        if let seconds = Int(value) { return TimeInterval(max(0, seconds)) }
        guard let date = HTTPDate.parse(value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

/// The client-credentials request body (`application/x-www-form-urlencoded`): every value percent-encoded
/// except RFC 3986's unreserved characters, so a secret holding `+`, `&`, `=` or `%` arrives intact.
enum TokenFormBody {
    static func escape(_ value: String) -> String {
        PercentEncoding.encode(value, keeping: PercentEncoding.isUnreserved)
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
