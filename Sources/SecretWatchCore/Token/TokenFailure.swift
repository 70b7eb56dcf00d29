import Foundation

/// A failed token request: the classified reason as an `OperatorError` (message with the fix, scrubbed), plus
/// the evidence Microsoft support asks for. Never holds the secret or a token.
public struct TokenFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: TokenFailureReason
    public var operatorError: OperatorError
    public var httpStatus: Int?
    public var aadstsCode: Int?
    /// The OAuth `error` field (`invalid_client`, …).
    public var oauthError: String?
    public var traceId: String?
    public var correlationId: String?
    /// How long the server asked us to wait (429 `Retry-After`).
    public var retryAfter: TimeInterval?

    public init(reason: TokenFailureReason, values: [String: String], detail: String?, httpStatus: Int? = nil,
                aadstsCode: Int? = nil, oauthError: String? = nil, traceId: String? = nil, correlationId: String? = nil,
                retryAfter: TimeInterval? = nil) {
        self.reason = reason
        operatorError = reason.failure(values, detail: detail)
        self.httpStatus = httpStatus
        self.aadstsCode = aadstsCode
        self.oauthError = oauthError
        self.traceId = traceId
        self.correlationId = correlationId
        self.retryAfter = retryAfter
    }

    public var message: String { operatorError.message }
    public var fix: String { operatorError.fix }
    public var description: String { operatorError.description }
}

extension TokenFailure: OperatorErrorConvertible {}
