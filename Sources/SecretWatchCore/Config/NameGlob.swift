/// A display-name pattern of the discovery filters (`include_names`, `exclude_names`): `*` matches any run of
/// characters (the empty one too), `?` exactly one character, and every other character itself. Matching is over
/// the whole name and without regard to case. There are no character classes and no escapes: `[`, `]` and `\`
/// are plain characters.
///
/// The matcher walks name and pattern once, going back only to the last `*` seen, so a pattern full of stars
/// costs at most pattern length × name length steps, never an exponential search.
public struct NameGlob: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as configured.
    public let pattern: String
    private let folded: [Character]

    public init(_ pattern: String) {
        self.pattern = pattern
        folded = Array(pattern.lowercased())
    }

    public var description: String { pattern }

    public func matches(_ name: String) -> Bool {
        let text = Array(name.lowercased())
        var t = 0, p = 0
        // Where the last `*` stood in the pattern, and the text position it has been stretched to so far.
        var star: Int?
        var stretchedTo = 0
        while t < text.count {
            if p < folded.count, folded[p] == "?" || (folded[p] != "*" && folded[p] == text[t]) {
                t += 1
                p += 1
            } else if p < folded.count, folded[p] == "*" {
                star = p
                stretchedTo = t
                p += 1
            } else if let star {
                // Let the last star take one more character and try the rest of the pattern again.
                stretchedTo += 1
                t = stretchedTo
                p = star + 1
            } else {
                return false
            }
        }
        while p < folded.count, folded[p] == "*" { p += 1 }
        return p == folded.count
    }
}
