import FoundationEssentials

extension String {
    /// Without leading and trailing tabs, Unicode space separators and U+200B ZERO WIDTH SPACE (Foundation's
    /// `.whitespaces` on Linux), in native Swift: config loading runs this for every scalar of a
    /// 100,000-credential file, where the NSString bridge of `trimmingCharacters(in:)` took a quarter of the load time.
    public var trimmingSpaces: String {
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == "\t" || c == "\u{200B}" || c.properties.generalCategory == .spaceSeparator }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// Characters that must never reach a header, a terminal or a log line as they are: control characters (C0, DEL,
/// C1 — including U+0085 NEXT LINE), the Unicode line and paragraph separators, and the bidirectional formatting
/// characters that reorder what a terminal shows.
public enum VisibleText {
    /// Characters a line break is made of: LF, VT, FF, CR, U+0085, U+2028, U+2029.
    public static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        (0x0A...0x0D).contains(scalar.value) || scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// A control character (general category Cc: U+0000–U+001F, U+007F–U+009F).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Invisible characters that change how the text around them is displayed (bidi embeddings, overrides and
    /// isolates, the directional marks).
    public static func isBidiFormatting(_ scalar: Unicode.Scalar) -> Bool {
        [0x200E, 0x200F, 0x061C].contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value)
    }

    /// The first control character or line break in `text` other than tab, or nil: what text a person types
    /// (an acknowledgement) may not hold.
    public static func firstRefused(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { $0 != "\t" && (isControl($0) || isLineBreak($0)) }
    }

    /// Whether a scalar is written out by `escaped`.
    public static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
        isControl(scalar) || isLineBreak(scalar) || isBidiFormatting(scalar)
    }

    /// `text` with every character of `needsEscaping` written as Swift spells it: ESC → `\u{1B}`, U+2028 → `\u{2028}`.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscaping) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscaping(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

extension Substring {
    /// `String(self).trimmingSpaces`.
    var trimmingSpaces: String { String(self).trimmingSpaces }
}

extension StringProtocol {
    /// Without leading and trailing spaces and line breaks: the characters of Foundation's `.whitespacesAndNewlines`
    /// on Linux (general category Z*, tab, LF through CR, U+0085 and U+200B), compared scalar by scalar as Foundation does.
    var trimmingSpacesAndNewlines: String {
        func isTrimmed(_ c: Unicode.Scalar) -> Bool {
            switch c.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: true
            default: c == "\t" || c == "\u{200B}" || VisibleText.isLineBreak(c)
            }
        }
        let scalars = String(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }), let last = scalars.lastIndex(where: { !isTrimmed($0) }) else {
            return ""
        }
        return String(scalars[first...last])
    }
}
