import Foundation

/// How the token stand-in answers one request.
public enum TokenStandInBehaviour: Sendable, Equatable {
    /// 200 with `{"token_type":"Bearer","expires_in":…,"ext_expires_in":…,"access_token":…}`.
    case success(accessToken: String, expiresIn: Int)
    /// Like Entra: success only for this client secret, AADSTS7000215 for any other (the demo's stand-in).
    case requireSecret(String, accessToken: String, expiresIn: Int)
    /// An AADSTS error with Microsoft's JSON shape.
    case entraError(EntraError)
    /// 429 with `Retry-After: seconds` (and Microsoft-style JSON).
    case throttled(retryAfterSeconds: Int)
    /// Any status with any body (500, 503, a 200 without `access_token`, …).
    case raw(status: Int, contentType: String, body: String)
    /// 200 text/html: a captive-portal or proxy login page; with `echoRequest` the page quotes the request
    /// body (as some portals do), which must still never reach a log line.
    case captivePortal(echoRequest: Bool)
    /// Headers and a promised body, then one byte per `interval`, forever (until the client gives up).
    case slowDrip(interval: TimeInterval)
    /// A 200 JSON answer of `bytes` bytes.
    case hugeBody(bytes: Int)
    /// Reads the request, then closes the connection without a byte of answer.
    case closeWithoutResponse
}

extension TokenStandInBehaviour {
    /// The names `secretwatch-standins` and its control interface accept for token behaviours.
    public static let names = ["success", "invalid_client_secret", "client_secret_expired", "invalid_tenant",
                               "invalid_client_id", "invalid_scope", "throttled", "unavailable", "garbage",
                               "captive_portal", "close"]

    /// The behaviour a name stands for; nil for an unknown name.
    /// - Parameter success: what `success` means (the stand-in's normal answer, e.g. `.requireSecret`).
    /// - Parameter retryAfter: the `Retry-After` seconds of `throttled`.
    public static func named(_ name: String, success: TokenStandInBehaviour, retryAfter: Int = 5) -> TokenStandInBehaviour? {
        switch name {
        case "success": success
        case "invalid_client_secret": .entraError(.invalidClientSecret)
        case "client_secret_expired": .entraError(.clientSecretExpired)
        case "invalid_tenant": .entraError(.tenantNotFound)
        case "invalid_client_id": .entraError(.unknownClientId)
        case "invalid_scope": .entraError(.missingDefaultScope)
        case "throttled": .throttled(retryAfterSeconds: retryAfter)
        case "unavailable":
            .raw(status: 500, contentType: "application/json; charset=utf-8",
                 body: #"{"error":"server_error","error_description":"AADSTS50000: There was an error issuing a token or an issue with our sign-in service. (secretwatch stand-in, not Microsoft)","error_codes":[50000]}"#)
        case "garbage": .raw(status: 200, contentType: "application/json", body: "this is not JSON (secretwatch stand-in)")
        case "captive_portal": .captivePortal(echoRequest: false)
        case "close": .closeWithoutResponse
        default: nil
        }
    }
}

/// An error answer of the Entra token endpoint, with Microsoft's JSON shape: `error`, `error_description`
/// (`AADSTSnnnn: text` + trace, correlation id and timestamp lines), `error_codes`, `timestamp`, `trace_id`,
/// `correlation_id`, `error_uri`. `{client}` and `{tenant}` in the text are filled from the request.
public struct EntraError: Sendable, Equatable {
    public var status: Int
    public var error: String
    public var code: Int
    public var text: String

    public init(status: Int, error: String, code: Int, text: String) {
        self.status = status
        self.error = error
        self.code = code
        self.text = text
    }

    public static let invalidClientSecret = EntraError(status: 401, error: "invalid_client", code: 7000215,
        text: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client}'.")
    public static let clientSecretExpired = EntraError(status: 401, error: "invalid_client", code: 7000222,
        text: "The provided client secret keys for app '{client}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.")
    public static let tenantNotFound = EntraError(status: 400, error: "invalid_request", code: 90002,
        text: "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.")
    public static let tenantMalformed = EntraError(status: 400, error: "invalid_request", code: 900023,
        text: "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain.")
    public static let unknownClientId = EntraError(status: 400, error: "unauthorized_client", code: 700016,
        text: "Application with identifier '{client}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.")
    public static let invalidScope = EntraError(status: 400, error: "invalid_scope", code: 70011,
        text: "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope https://outlook.office365.com is not valid.")
    public static let missingDefaultScope = EntraError(status: 400, error: "invalid_scope", code: 1002012,
        text: "The provided value for scope https://outlook.office365.com/SMTP.SendAsApp is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
    public static let invalidClientAssertion = EntraError(status: 401, error: "invalid_client", code: 700027,
        text: "Client assertion failed signature validation.")
    public static let assertionOutsideValidity = EntraError(status: 401, error: "invalid_client", code: 700024,
        text: "Client assertion is not within its valid time range.")
    public static let deprecatedTLS = EntraError(status: 400, error: "invalid_request", code: 1002016,
        text: "You are using TLS version 1.0, 1.1 and/or 3DES cipher which are deprecated to improve the security posture of Azure AD.")
    public static let applicationDisabled = EntraError(status: 400, error: "unauthorized_client", code: 7000112,
        text: "Application '{client}'(secretwatch test app) is disabled.")
    public static let applicationDisabledLegacy = EntraError(status: 400, error: "unauthorized_client", code: 70001,
        text: "Application with identifier '{client}' is disabled.")
    public static let blockedByConditionalAccess = EntraError(status: 400, error: "invalid_grant", code: 53003,
        text: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")

    /// The JSON body, as Microsoft sends it.
    public func json(client: String, tenant: String, traceId: String, correlationId: String, at date: Date) -> String {
        let stamp = Self.timestamp(date)
        let filled = text.replacingOccurrences(of: "{client}", with: client).replacingOccurrences(of: "{tenant}", with: tenant)
        let description = "AADSTS\(code): \(filled)\r\nTrace ID: \(traceId)\r\nCorrelation ID: \(correlationId)\r\nTimestamp: \(stamp)Z"
        let object: [String: Any] = [
            "error": error, "error_description": description, "error_codes": [code], "timestamp": "\(stamp)Z",
            "trace_id": traceId, "correlation_id": correlationId,
            "error_uri": "https://login.microsoftonline.com/error?code=\(code)",
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// `2026-11-29 06:41:25`
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}
