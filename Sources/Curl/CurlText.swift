extension String {
    /// Without leading and trailing tabs, Unicode space separators and U+200B (what Foundation's `.whitespaces`
    /// trims on Linux).
    var trimmingSpaces: String {
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == "\t" || c == "\u{200B}" || c.properties.generalCategory == .spaceSeparator }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(scalars[first...last])
    }
}
