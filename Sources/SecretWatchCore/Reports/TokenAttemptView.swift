import Foundation

/// A token attempt as `status` and `/api/v1/credentials` show it (never a secret or a token: the attempt has neither).
public struct TokenAttemptView: Encodable, Sendable, Equatable {
    public var at: Date
    public var outcome: String
    public var reason: String?
    public var message: String?
    public var httpStatus: Int?
    public var aadstsCode: Int?
    public var traceId: String?
    public var correlationId: String?
    public var durationSeconds: Double
    public var expiresIn: Int?

    enum CodingKeys: String, CodingKey {
        case outcome, reason, message
        case at = "started_at"
        case httpStatus = "http_status"
        case aadstsCode = "aadsts_code"
        case traceId = "trace_id"
        case correlationId = "correlation_id"
        case durationSeconds = "duration_seconds"
        case expiresIn = "expires_in"
    }

    public init(_ a: TokenAttempt) {
        at = a.startedAt
        outcome = a.outcome.rawValue
        reason = a.reason
        message = a.message.map(Redactor.scrub)
        httpStatus = a.httpStatus
        aadstsCode = a.aadstsCode
        traceId = a.traceId
        correlationId = a.correlationId
        durationSeconds = a.duration
        expiresIn = a.expiresIn
    }

    /// `2026-11-29T06:40:00Z ok (lifetime 3599 s)` / `2026-11-29T06:40:00Z failed: invalid_client_secret — …`
    public var line: String {
        let when = Timestamps.rfc3339(at)
        if outcome == TokenAttempt.Outcome.success.rawValue {
            return "\(when) ok" + (expiresIn.map { " (lifetime \($0) s)" } ?? "")
        }
        var text = "\(when) failed: \(reason ?? "unknown")"
        if let message { text += " — \(message)" }
        if let traceId { text += " [trace id \(traceId)]" }
        return text
    }
}
