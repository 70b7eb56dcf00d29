import FoundationEssentials
internal import SecretWatchYAML

/// Collects problems while the configuration is read, so that every one is reported at once.
final class ProblemList {
    var errors: [ConfigProblem] = []
    var warnings: [ConfigProblem] = []

    func error(_ path: String, _ message: String) { errors.append(ConfigProblem(path: path, message: message)) }
    func warning(_ path: String, _ message: String) { warnings.append(ConfigProblem(path: path, message: message)) }
}

/// A YAML mapping being read: typed accessors that record problems under the field's path, and a `finish`
/// that reports every key nobody asked for (typos must not pass silently).
final class YAMLObject {
    let path: String
    private let entries: [(key: String, node: YAMLNode)]
    private var requested: Set<String> = []
    private let problems: ProblemList

    init?(_ node: YAMLNode, path: String, problems: ProblemList) {
        guard let pairs = node.pairs else {
            problems.error(path, "must be a mapping of fields, got \(YAMLObject.describe(node))")
            return nil
        }
        var entries: [(String, YAMLNode)] = []
        var seen: Set<String> = []
        for (keyNode, value) in pairs {
            let key = keyNode.text ?? YAMLObject.describe(keyNode)
            if !seen.insert(key).inserted {
                problems.error(YAMLObject.join(path, key), "is set more than once")
            }
            entries.append((key, value))
        }
        self.entries = entries
        self.path = path
        self.problems = problems
    }

    func fieldPath(_ key: String) -> String { YAMLObject.join(path, key) }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func describe(_ node: YAMLNode) -> String {
        switch node.kind {
        case .scalar: node.isNull ? "nothing" : "\"\(node.text ?? "")\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    /// A plain `~`, `null` or nothing; a quoted "null" is text.
    static func isNull(_ node: YAMLNode) -> Bool { node.isNull }

    /// The node for `key`, or nil when absent or explicitly null.
    func node(_ key: String) -> YAMLNode? {
        requested.insert(key)
        guard let node = entries.first(where: { $0.key == key })?.node, !YAMLObject.isNull(node) else { return nil }
        return node
    }

    func has(_ key: String) -> Bool { node(key) != nil }

    func missing(_ key: String) {
        problems.error(fieldPath(key), "required field is missing")
    }

    func string(_ key: String, required: Bool = false) -> String? {
        guard let node = node(key) else {
            if required { missing(key) }
            return nil
        }
        guard let text = node.text else {
            problems.error(fieldPath(key), "must be a text value, got \(YAMLObject.describe(node))")
            return nil
        }
        let trimmed = text.trimmingSpaces
        if let problem = Self.characterProblem(trimmed) {
            problems.error(fieldPath(key), problem)
            return nil
        }
        if trimmed.isEmpty {
            if required { problems.error(fieldPath(key), "must not be empty") }
            return nil
        }
        return trimmed
    }

    /// Why a value cannot be used, or nil: a line break (LF, CR, VT, FF, U+0085, U+2028, U+2029) or any other
    /// control character. Values end up in mail headers, log lines and terminals; none of them needs one.
    /// (Scalars, not Characters: "\r\n" is one Character that equals neither "\r" nor "\n".)
    static func characterProblem(_ value: String) -> String? {
        // One cheap pass for the common case (every value of a 100,000-credential file passes here).
        guard let found = value.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 }) else {
            return nil
        }
        if value.unicodeScalars.contains(where: VisibleText.isLineBreak) {
            return "must be a single line (line breaks are not allowed)"
        }
        return "must not contain control characters (found \(VisibleText.escaped(String(found))))"
    }

    /// A whole number within the field's bounds (`ConfigBounds.integers`).
    func int(_ key: String) -> Int? {
        guard let node = node(key) else { return nil }
        return YAMLObject.integer(node, path: fieldPath(key), bounds: ConfigBounds.integer(fieldPath(key)), problems: problems)
    }

    /// A list item or field value read as a whole number within `bounds`; a number too large for any integer is
    /// out of range like any other.
    static func integer(_ node: YAMLNode, path: String, bounds: ClosedRange<Int>, problems: ProblemList) -> Int? {
        guard let scalar = node.text, !isNull(node) else {
            problems.error(path, "must be a whole number, got \(describe(node))")
            return nil
        }
        let text = scalar.trimmingSpaces
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            problems.error(path, "must be a whole number, got \(describe(node))")
            return nil
        }
        guard let value = Int(text), bounds.contains(value) else {
            problems.error(path, "must be between \(bounds.lowerBound) and \(bounds.upperBound), got \(text)")
            return nil
        }
        return value
    }

    func bool(_ key: String) -> Bool? {
        guard let node = node(key) else { return nil }
        if let text = node.text {
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        problems.error(fieldPath(key), "must be true or false, got \(YAMLObject.describe(node))")
        return nil
    }

    /// A duration within the field's bounds (`ConfigBounds.durations`).
    func duration(_ key: String) -> TimeInterval? {
        let bounds = ConfigBounds.duration(fieldPath(key))
        guard let text = string(key) else { return nil }
        guard let seconds = DurationText.parse(text) else {
            problems.error(fieldPath(key), "\"\(text)\" is not a duration (use a number with a unit: 500ms, 30s, 5m, 24h, 7d)")
            return nil
        }
        guard seconds >= bounds.lowerBound else {
            problems.error(fieldPath(key), "must be at least \(DurationText.format(bounds.lowerBound)), got \(text)")
            return nil
        }
        guard seconds <= bounds.upperBound else {
            problems.error(fieldPath(key), "must be at most \(DurationText.format(bounds.upperBound)), got \(text)")
            return nil
        }
        return seconds
    }

    func object(_ key: String, required: Bool = false) -> YAMLObject? {
        guard let node = node(key) else {
            if required { missing(key) }
            return nil
        }
        return YAMLObject(node, path: fieldPath(key), problems: problems)
    }

    func list(_ key: String) -> [YAMLNode]? {
        guard let node = node(key) else { return nil }
        guard let items = node.items else {
            problems.error(fieldPath(key), "must be a list, got \(YAMLObject.describe(node))")
            return nil
        }
        return items
    }

    /// Reports every key that no accessor asked for, with the closest known name as a hint.
    func finish() {
        for (key, _) in entries where !requested.contains(key) {
            if let guess = requested.min(by: { Self.distance($0, key) < Self.distance($1, key) }),
               Self.distance(guess, key) <= max(2, key.count / 3) {
                problems.error(fieldPath(key), "unknown field (did you mean \"\(guess)\"?)")
            } else {
                let known = requested.sorted().joined(separator: ", ")
                problems.error(fieldPath(key), "unknown field (known fields here: \(known))")
            }
        }
    }

    /// Levenshtein distance, for "did you mean" hints.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
