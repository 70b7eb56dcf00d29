import Foundation

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
