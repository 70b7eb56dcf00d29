import SecretWatchYAML

/// YAML read into plain values for tests that look into shipped YAML artefacts (alert rules and their tests):
/// a mapping as `[String: Any]` (a repeated key: the last wins), a sequence as `[Any]`, a scalar as its text
/// (no implicit typing: `5m`, `1` and `true` are all Strings).
enum YAMLValues {
    static func load(_ text: String) throws -> Any? {
        try YAMLDocument.parse(text).map { value($0.root) }
    }

    static func value(_ node: YAMLNode) -> Any {
        switch node.kind {
        case .scalar:
            return node.text ?? ""
        case .sequence:
            return (node.items ?? []).map(value)
        case .mapping:
            return Dictionary((node.pairs ?? []).map { (YAMLValues.key($0.key), value($0.value)) }) { _, last in last }
        }
    }

    private static func key(_ node: YAMLNode) -> String { node.text ?? "\(value(node))" }
}
