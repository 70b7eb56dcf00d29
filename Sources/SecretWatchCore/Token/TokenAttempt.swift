import Foundation

/// One request to the token endpoint, as recorded in `token_attempts` (never the secret or the token).
public struct TokenAttempt: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable { case success, failure }

    public var id: Int64?
    public var credential: String
    public var startedAt: Date
    public var duration: TimeInterval
    public var outcome: Outcome
    /// Stable classified reason (`invalid_client_secret`, `dns_failure`, …); nil on success.
    public var reason: String?
    public var httpStatus: Int?
    public var aadstsCode: Int?
    /// The OAuth `error` field (`invalid_client`, …).
    public var error: String?
    /// Operator message (with the fix) for failures.
    public var message: String?
    public var traceId: String?
    public var correlationId: String?
    /// Token lifetime granted, seconds (successes).
    public var expiresIn: Int?

    public init(id: Int64? = nil, credential: String, startedAt: Date, duration: TimeInterval, outcome: Outcome,
                reason: String? = nil, httpStatus: Int? = nil, aadstsCode: Int? = nil, error: String? = nil,
                message: String? = nil, traceId: String? = nil, correlationId: String? = nil, expiresIn: Int? = nil) {
        self.id = id
        self.credential = credential
        self.startedAt = startedAt
        self.duration = duration
        self.outcome = outcome
        self.reason = reason
        self.httpStatus = httpStatus
        self.aadstsCode = aadstsCode
        self.error = error
        self.message = message
        self.traceId = traceId
        self.correlationId = correlationId
        self.expiresIn = expiresIn
    }
}
