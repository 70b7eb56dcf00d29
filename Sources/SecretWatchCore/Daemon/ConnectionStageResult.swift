import Foundation

/// One stage of `secretwatch check --connect` (token request, SMTP connect, EHLO, STARTTLS, AUTH, QUIT), like
/// ISE's "Test Connection": what was tried, how long it took, and either what it found or the classified failure.
public struct ConnectionStageResult: Sendable, Equatable {
    public var stage: String
    public var duration: TimeInterval
    /// What succeeded (e.g. "token lifetime 3599 s"); never a secret or a token.
    public var summary: String
    public var failure: OperatorError?

    public init(stage: String, duration: TimeInterval, summary: String, failure: OperatorError? = nil) {
        self.stage = stage
        self.duration = duration
        self.summary = summary
        self.failure = failure
    }

    public var ok: Bool { failure == nil }

    /// `token      ok      182 ms  token lifetime 3599 s` / `… FAILED … reason: message\n  fix: …`
    public func render() -> String {
        let ms = String(format: "%6.0f ms", duration * 1000)
        let name = stage.padding(toLength: 10, withPad: " ", startingAt: 0)
        if let failure {
            return "\(name) FAILED  \(ms)  \(failure.reason): \(failure.message)\n" + String(repeating: " ", count: 30) + "fix: \(failure.fix)"
        }
        return "\(name) ok      \(ms)  \(summary)"
    }
}
