/// Why a YAML text could not be read: libyaml's own problem text (with its context) or one of the YAML features
/// this reader refuses, and where. `description` is the sentence shown to the operator; `reason` is a short stable
/// label.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case syntax, encoding, anchor, alias, tag, documents, tooLarge, memory
    }

    private let kind: Kind
    /// What is wrong, without the position.
    public let problem: String
    /// Where, when libyaml or the reader can tell.
    public let mark: YAMLMark?
    /// What to do instead, for the features this reader refuses.
    public let hint: String?

    private init(_ kind: Kind, _ problem: String, _ mark: YAMLMark?, hint: String? = nil) {
        self.kind = kind
        self.problem = problem
        self.mark = mark
        self.hint = hint
    }

    public var description: String {
        (mark.map { "\(problem) at \($0)" } ?? problem) + (hint.map { ": \($0)" } ?? "")
    }

    /// The text is not YAML (libyaml's syntax or encoding errors), as opposed to YAML this reader refuses.
    public var isInvalidYAML: Bool { kind == .syntax || kind == .encoding }

    /// `syntax`, `encoding`, `anchor`, `alias`, `tag`, `documents`, `too_large` or `memory`.
    public var reason: String {
        switch kind {
        case .syntax: "syntax"
        case .encoding: "encoding"
        case .anchor: "anchor"
        case .alias: "alias"
        case .tag: "tag"
        case .documents: "documents"
        case .tooLarge: "too_large"
        case .memory: "memory"
        }
    }

    /// libyaml's scanner or parser problem, with the context it gives ("while parsing a flow sequence").
    static func syntax(_ problem: String, context: String?, at mark: YAMLMark?) -> YAMLError {
        YAMLError(.syntax, context.map { "\(problem) \($0)" } ?? problem, mark)
    }

    /// libyaml's reader problem: bytes that are not UTF-8, or a character YAML does not allow.
    static func encoding(_ problem: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(.encoding, problem, mark)
    }

    static func anchor(_ name: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(.anchor, "anchors (&\(name)) are not supported", mark, hint: "write the value out where it is used")
    }

    static func alias(_ name: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(.alias, "aliases (*\(name)) are not supported", mark, hint: "write the value out where it is used")
    }

    static func tag(_ tag: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(.tag, "tags (\(tag)) are not supported", mark, hint: "remove it; each field reads its value as text and checks it")
    }

    static func secondDocument(at mark: YAMLMark) -> YAMLError {
        YAMLError(.documents, "a second YAML document starts", mark,
                  hint: "the file must hold one document (remove the extra \"---\" line)")
    }

    static func tooLarge(_ what: String) -> YAMLError {
        YAMLError(.tooLarge, "the YAML text is too large (\(what))", nil)
    }

    static let memory = YAMLError(.memory, "out of memory while reading YAML", nil)
}
