/// One thing wrong (or doubtful) in the configuration, tied to the field it concerns.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// Dotted field path such as `smtp.auth.tenant_id` or `credentials[1].client_id`; empty for the file itself.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Thrown when the configuration cannot be used; carries every problem found, not just the first.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [ConfigProblem]

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "configuration \(file) has \(count):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
