extension StringProtocol {
    /// Without leading and trailing tabs, Unicode space separators and U+200B (what Foundation's `.whitespaces`
    /// trims on Linux).
    var trimmingSpaces: String { trimming { $0 == "\t" || $0 == "\u{200B}" || $0.properties.generalCategory == .spaceSeparator } }

    /// Without leading and trailing spaces and line breaks (what Foundation's `.whitespacesAndNewlines` trims:
    /// general category Z*, tab, LF through CR, U+0085 and U+200B, on Linux).
    var trimmingSpacesAndNewlines: String {
        trimming { scalar in
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: true
            default: scalar == "\t" || (0x0A...0x0D).contains(scalar.value) || scalar.value == 0x85 || scalar.value == 0x200B
            }
        }
    }

    private func trimming(_ isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = String(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }), let last = scalars.lastIndex(where: { !isTrimmed($0) }) else {
            return ""
        }
        return String(scalars[first...last])
    }
}
