/// Control characters (Unicode category Cc: C0, DEL, C1) in text that people type and terminals print. ESC starts
/// terminal escape sequences, CR and LF forge log lines, NUL ends a C string: input refuses them (tab aside), and
/// output shows whatever got stored as visible escapes.
public enum ControlCharacters {
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }

    /// The first control character in `text` other than tab, or nil.
    public static func firstRefused(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { $0 != "\t" && isControl($0) }
    }

    /// `U+001B`.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

extension String {
    /// Every control character written as an escape (`\t`, `\r`, `\n`, `\x1b`, `\u009b`), everything else as is:
    /// stored text printed on a terminal or into a log line can neither move the cursor nor start a line.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: ControlCharacters.isControl) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            guard ControlCharacters.isControl(scalar) else {
                out.append(scalar)
                continue
            }
            let escape: String
            switch scalar {
            case "\t": escape = "\\t"
            case "\r": escape = "\\r"
            case "\n": escape = "\\n"
            default:
                let hex = String(scalar.value, radix: 16)
                escape = scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u00" + hex
            }
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }
}
