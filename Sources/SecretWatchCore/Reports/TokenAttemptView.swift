import Foundation

/// A token request as `/api/v1/credentials` shows it: never the secret or the token, only what happened.
struct TokenAttemptView: Encodable, Sendable {
    var startedAt: Date
    var durationSeconds: Double
    var outcome: String
    var reason: String?
    var httpStatus: Int?
    var aadstsCode: Int?
    var message: String?
    var traceId: String?
    var correlationId: String?

    enum CodingKeys: String, CodingKey {
        case outcome, reason, message
        case startedAt = "started_at"
        case durationSeconds = "duration_seconds"
        case httpStatus = "http_status"
        case aadstsCode = "aadsts_code"
        case traceId = "trace_id"
        case correlationId = "correlation_id"
    }

    init(_ a: TokenAttempt) {
        startedAt = a.startedAt
        durationSeconds = a.duration
        outcome = a.outcome.rawValue
        reason = a.reason
        httpStatus = a.httpStatus
        aadstsCode = a.aadstsCode
        message = a.message.map(Redactor.scrub)
        traceId = a.traceId
        correlationId = a.correlationId
    }
}
