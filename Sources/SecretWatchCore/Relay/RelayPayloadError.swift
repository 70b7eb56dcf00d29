#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a webhook body is not a notification secretwatch relays: one sentence naming the field by its path
/// (`alerts[2].startsAt: "yesterday" is not an RFC 3339 time`). Quoted values are neutralised (no control
/// characters) and shortened, so the sentence is safe in a log line and an HTTP answer.
public struct RelayPayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field path (`alerts[2].labels.job`), or `body` for the body as a whole.
    public var path: String
    /// What is wrong with it.
    public var problem: String

    public var description: String { "\(path): \(problem)" }

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    static func body(_ problem: String) -> RelayPayloadError { RelayPayloadError(path: "body", problem: problem) }

    static func missing(_ path: String) -> RelayPayloadError { RelayPayloadError(path: path, problem: "is required") }

    static func type(_ path: String, expected: String, got value: RelayJSON) -> RelayPayloadError {
        RelayPayloadError(path: path, problem: "must be \(expected), not \(value.kind)")
    }

    static func tooLong(_ path: String, limit: Int) -> RelayPayloadError {
        RelayPayloadError(path: path, problem: "is longer than \(limit) bytes")
    }

    /// `"value"` for an error message: control characters and line breaks become spaces, at most 64 characters.
    static func quoted(_ value: String) -> String {
        let clean = MIMEEncoding.neutralised(value)
        return clean.count <= 64 ? "\"\(clean)\"" : "\"\(clean.prefix(61))...\""
    }
}
