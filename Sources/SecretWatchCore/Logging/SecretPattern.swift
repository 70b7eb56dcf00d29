/// Secret-shaped text that nobody registered, found by small hand-written matchers (no regular-expression
/// engine: ICU's would be loaded and kept resident for these four shapes). Each is the equivalent of
///
///     (?i)(bearer\s+)[A-Za-z0-9\-._~+/=]{4,}                                              Authorization: Bearer …
///     (?i)((?:client_secret|access_token|client_assertion|password)=)[^&\s"]+              form fields
///     (?i)("(?:access_token|client_secret|refresh_token|id_token)"\s*:\s*")[^"]*            JSON members
///     (?i)(AUTH\s+XOAUTH2\s+)[A-Za-z0-9+/=]{8,}                                           SMTP XOAUTH2 blob
///
/// with the value after the prefix replaced (leftmost match first, then on after it), and lowercase ASCII
/// `triggers` of which one must occur (in any ASCII case) for the pattern to have a chance: the field names
/// themselves, not `=` or `"`, which every SMTP `MAIL FROM:<…> SIZE=…` line and most JSON bodies contain.
struct SecretPattern: Sendable {
    let triggers: [String]
    /// Where the value starts and ends when a match begins at `start`, else nil.
    let match: @Sendable (_ text: [Unicode.Scalar], _ start: Int) -> (valueStart: Int, valueEnd: Int)?

    /// Form fields and JSON members whose values are secret; each list is both the matcher's keys and its triggers.
    private static let formKeys = ["client_secret", "access_token", "client_assertion", "password"]
    private static let jsonKeys = ["access_token", "client_secret", "refresh_token", "id_token"]

    static let all: [SecretPattern] = [
        SecretPattern(triggers: ["bearer"]) { t, i in
            guard var j = word(t, i, "bearer"), let afterSpace = spaces(t, j, atLeast: 1) else { return nil }
            j = afterSpace
            let end = run(t, j) { isTokenCharacter($0) }
            return end - j >= 4 ? (j, end) : nil
        },
        SecretPattern(triggers: formKeys.map { $0 + "=" }) { t, i in
            for key in formKeys {
                guard let j = word(t, i, key + "=") else { continue }
                let end = run(t, j) { $0 != "&" && $0 != "\"" && !isSpace($0) }
                return end > j ? (j, end) : nil
            }
            return nil
        },
        SecretPattern(triggers: jsonKeys) { t, i in
            for key in jsonKeys {
                guard var j = word(t, i, "\"" + key + "\"") else { continue }
                j = run(t, j, isSpace)
                guard j < t.count, t[j] == ":" else { return nil }
                j = run(t, j + 1, isSpace)
                guard j < t.count, t[j] == "\"" else { return nil }
                return (j + 1, run(t, j + 1) { $0 != "\"" })
            }
            return nil
        },
        SecretPattern(triggers: ["xoauth2"]) { t, i in
            guard let a = word(t, i, "auth"), let b = spaces(t, a, atLeast: 1), let c = word(t, b, "xoauth2"),
                  let d = spaces(t, c, atLeast: 1) else { return nil }
            let end = run(t, d) { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+/=".unicodeScalars.contains($0)) }
            return end - d >= 8 ? (d, end) : nil
        },
    ]

    /// Every match's value replaced by `mask`, scanning left to right.
    func replaceValues(in text: String, with mask: String) -> String {
        let t = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var copied = 0
        while i < t.count {
            if let (valueStart, valueEnd) = match(t, i) {
                out.append(contentsOf: t[copied..<valueStart])
                out.append(contentsOf: mask.unicodeScalars)
                copied = valueEnd
                // An empty value (a JSON "") still advances, as a regex engine would.
                i = max(valueEnd, i + 1)
            } else {
                i += 1
            }
        }
        guard copied > 0 else { return text }
        out.append(contentsOf: t[copied...])
        return String(out)
    }

    /// The index after `word` when it occurs at `i`, ASCII letters compared without case.
    private static func word(_ t: [Unicode.Scalar], _ i: Int, _ word: String) -> Int? {
        var j = i
        for w in word.unicodeScalars {
            guard j < t.count, lowerASCII(t[j]) == w else { return nil }
            j += 1
        }
        return j
    }

    /// The index after a run of whitespace at `i` that is at least `atLeast` long.
    private static func spaces(_ t: [Unicode.Scalar], _ i: Int, atLeast: Int) -> Int? {
        let end = run(t, i, isSpace)
        return end - i >= atLeast ? end : nil
    }

    private static func run(_ t: [Unicode.Scalar], _ i: Int, _ accept: (Unicode.Scalar) -> Bool) -> Int {
        var j = i
        while j < t.count, accept(t[j]) { j += 1 }
        return j
    }

    private static func lowerASCII(_ c: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32)! : c
    }

    /// `\s` as ICU has it: Unicode white space.
    private static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }

    private static func isTokenCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "-._~+/=".unicodeScalars.contains(c)
    }
}
