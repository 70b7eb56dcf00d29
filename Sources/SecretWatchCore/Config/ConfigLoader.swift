import FoundationEssentials
import Logging
internal import SecretWatchYAML
internal import SecretWatchHTTPServer

/// Reads and validates the YAML configuration, reporting every problem at once.
public struct ConfigLoader: Sendable {
    public var environment: [String: String]
    /// Whether secret files and variables are opened to check that they can be read (off only in tests of
    /// other fields).
    public var checkSecrets: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, checkSecrets: Bool = true) {
        self.environment = environment
        self.checkSecrets = checkSecrets
    }

    /// A loaded configuration and the warnings that did not stop it.
    public struct Loaded: Sendable {
        public var config: Config
        public var warnings: [ConfigProblem]
    }

    public func load(path: String) throws(ConfigError) -> Loaded {
        let text: String
        do {
            text = try SecretReader.readWhole(path)
        } catch {
            throw ConfigError(file: path, problems: [ConfigProblem(path: "", message: "\(error)")])
        }
        return try parse(text, path: path)
    }

    public func parse(_ text: String, path: String) throws(ConfigError) -> Loaded {
        let problems = ProblemList()
        let baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let reader = ConfigReader(problems: problems, environment: environment, checkSecrets: checkSecrets, baseDirectory: baseDirectory)
        // The compact tree of libyaml's events; YAMLObject reads every scalar as text and checks it itself (no
        // implicit typing: a quoted "123" and a plain 123 are both the text 123, only a plain ~ is null). The
        // `credentials` list is read item by item as it is parsed and never held as a tree (100,000 of them).
        let credentials = CredentialListReader(reader: reader)
        let document: YAMLDocument?
        do {
            document = try YAMLDocument.parse(text, streaming: "credentials") { credentials.read($1, index: $0) }
        } catch {
            let message = error.isInvalidYAML ? "not valid YAML: \(error)" : "\(error)"
            throw ConfigError(file: path, problems: [ConfigProblem(path: "", message: message)])
        }
        guard let node = document?.root, let root = YAMLObject(node, path: "", problems: problems) else {
            if problems.errors.isEmpty {
                problems.error("", "the file is empty; see examples/secretwatch.yml")
            }
            throw ConfigError(file: path, problems: problems.errors)
        }
        let config = reader.read(root, sourcePath: path, credentials: credentials)
        guard problems.errors.isEmpty, let config else {
            throw ConfigError(file: path, problems: problems.errors)
        }
        return Loaded(config: config, warnings: problems.warnings)
    }

}

extension SecretReader {
    /// The largest configuration file read (100,000 watched credentials take about 30 MiB).
    static let configLimit = 256 << 20

    /// Reads a whole (non-secret) text file such as the configuration; a FIFO or a device is refused.
    static func readWhole(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "cannot read \"\(path)\": No such file or directory")
        }
        let data = try RegularFile.read(path, limit: configLimit)
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(description: "cannot read \"\(path)\": it is not UTF-8 text")
        }
        return text
    }
}

/// One thing wrong (or doubtful) in the configuration, tied to the field it concerns.
public struct ConfigProblem: Sendable, Equatable, Encodable, CustomStringConvertible {
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
