import Foundation

/// What one token request produced: the token or the classified failure, when and how long.
public struct TokenRequestOutcome: Sendable {
    public var credential: String
    public var startedAt: Date
    public var duration: TimeInterval
    public var result: Result<AccessToken, TokenFailure>
    public var httpStatus: Int?

    public var token: AccessToken? { try? result.get() }
    public var failure: TokenFailure? {
        if case .failure(let failure) = result { return failure }
        return nil
    }

    /// The row for `token_attempts`: never the secret or the token; failures carry message and fix.
    public var attempt: TokenAttempt {
        switch result {
        case .success(let token):
            return TokenAttempt(credential: credential, startedAt: startedAt, duration: duration, outcome: .success,
                                httpStatus: httpStatus, expiresIn: Int(token.lifetime.rounded()))
        case .failure(let f):
            return TokenAttempt(credential: credential, startedAt: startedAt, duration: duration, outcome: .failure,
                                reason: f.reason.rawValue, httpStatus: f.httpStatus ?? httpStatus, aadstsCode: f.aadstsCode,
                                error: f.oauthError, message: "\(f.message); fix: \(f.fix)", traceId: f.traceId,
                                correlationId: f.correlationId)
        }
    }
}
