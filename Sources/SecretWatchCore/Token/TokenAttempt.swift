import FoundationEssentials
import Logging

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
    /// The scope asked for (nil in rows older than the column): a Graph token's failures are discovery's, not
    /// the mail path's.
    public var scope: String?

    public init(id: Int64? = nil, credential: String, startedAt: Date, duration: TimeInterval, outcome: Outcome,
                reason: String? = nil, httpStatus: Int? = nil, aadstsCode: Int? = nil, error: String? = nil,
                message: String? = nil, traceId: String? = nil, correlationId: String? = nil, expiresIn: Int? = nil,
                scope: String? = nil) {
        self.scope = scope
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

/// What one token request produced: the token or the classified failure, when and how long.
public struct TokenRequestOutcome: Sendable {
    public var credential: String
    public var startedAt: Date
    public var duration: TimeInterval
    public var result: Result<AccessToken, TokenFailure>
    public var httpStatus: Int?
    /// The scope the token was asked for.
    public var scope: String? = nil

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
                                httpStatus: httpStatus, expiresIn: Int(token.lifetime.rounded()), scope: scope)
        case .failure(let f):
            return TokenAttempt(credential: credential, startedAt: startedAt, duration: duration, outcome: .failure,
                                reason: f.reason.rawValue, httpStatus: f.httpStatus ?? httpStatus, aadstsCode: f.aadstsCode,
                                error: f.oauthError, message: "\(f.message); fix: \(f.fix)", traceId: f.traceId,
                                correlationId: f.correlationId, scope: scope)
        }
    }
}

/// Where every token attempt goes: a `token_attempts` row, telemetry (metrics), and one log line. None of them
/// ever sees the secret or the token (`TokenAttempt` has no field for either; text is scrubbed on the way).
public struct TokenAttemptRecorder: Sendable {
    public var store: Store?
    public var telemetry: any TelemetryObserver
    public var logger: Logger

    public init(store: Store?, telemetry: any TelemetryObserver = TelemetryHub(),
                logger: Logger = Logger(label: "secretwatch.token")) {
        self.store = store
        self.telemetry = telemetry
        self.logger = logger
    }

    public func record(_ outcome: TokenRequestOutcome) {
        let attempt = outcome.attempt
        if let store {
            do {
                try store.recordTokenAttempt(attempt)
            } catch {
                logger.error("cannot record the token attempt", metadata: ["credential": "\(attempt.credential)", "error": "\(error)"])
            }
        }
        telemetry.tokenAttempt(attempt)
        let duration = String(cFormat: "%.3f", attempt.duration)
        switch outcome.result {
        case .success(let token):
            logger.info("token obtained", metadata: [
                "credential": "\(attempt.credential)", "lifetime_seconds": "\(Int(token.lifetime))",
                "expires_at": "\(Timestamps.rfc3339(token.expiresAt))", "duration_seconds": "\(duration)",
            ])
        case .failure(let failure):
            var metadata: Logger.Metadata = [
                "credential": "\(attempt.credential)", "reason": "\(failure.reason.rawValue)",
                "message": "\(failure.message)", "fix": "\(failure.fix)", "duration_seconds": "\(duration)",
            ]
            if let status = failure.httpStatus { metadata["http_status"] = "\(status)" }
            if let code = failure.aadstsCode { metadata["aadsts"] = "\(code)" }
            if let trace = failure.traceId { metadata["trace_id"] = "\(trace)" }
            if let correlation = failure.correlationId { metadata["correlation_id"] = "\(correlation)" }
            if let detail = failure.operatorError.detail { metadata["detail"] = "\(detail)" }
            logger.warning("token request failed", metadata: metadata)
        }
    }
}
