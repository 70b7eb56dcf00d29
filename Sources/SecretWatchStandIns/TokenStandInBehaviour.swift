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
