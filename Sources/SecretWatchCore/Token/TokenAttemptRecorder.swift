import Foundation
import Logging

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
        let duration = String(format: "%.3f", attempt.duration)
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
