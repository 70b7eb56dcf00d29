/// One thing wrong (or doubtful) in the configuration, tied to the field it concerns.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// Dotted field path such as `smtp.auth.tenant_id` or `credentials[1].client_id`; empty for the file itself.
    public var path: String
    public var message: String

    /// Control characters and line separators in either part (an unknown key or a value echoed in the message)
    /// are stored in their visible escaped form (`\u{1B}`), so a problem never drives the terminal it is shown on.
    public init(path: String, message: String) {
        self.path = VisibleText.escaped(path)
        self.message = VisibleText.escaped(message)
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Thrown when the configuration cannot be used; carries every problem found, not just the first.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [ConfigProblem]

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "configuration \(VisibleText.escaped(file)) has \(count):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
