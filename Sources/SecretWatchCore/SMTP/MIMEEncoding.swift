import FoundationEssentials
import Glibc

/// The encodings an RFC 5322/MIME text message needs: header values that can never break out of their line
/// (CR, LF and other controls neutralised), RFC 2047 encoded-words for non-ASCII header text, folding, and
/// quoted-printable bodies with CRLF line ends.
public enum MIMEEncoding {
    /// A header value with every control character (CR and LF above all) replaced by a space, so that data
    /// from the configuration or an alarm can never start a header of its own.
    public static func neutralised(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map { scalar in
            (scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}") ? " " : scalar
        }))
    }

    /// A free-text header value (Subject): neutralised, then RFC 2047-encoded when not ASCII, folded so that
    /// no line passes 78 characters. `nameLength` is the length of `Name: ` on the first line.
    public static func headerText(_ value: String, nameLength: Int) -> String {
        let clean = neutralised(value)
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }) && !clean.contains("=?") {
            return fold(clean, firstLineUsed: nameLength)
        }
        return encodedWords(clean, firstLineUsed: nameLength).joined(separator: "\r\n ")
    }

    /// `=?UTF-8?B?…?=` words, split between characters (never inside one), each on its own line of at most 76
    /// characters: the first shares its line with `Name: ` (`firstLineUsed` characters), the others follow a space.
    public static func encodedWords(_ text: String, firstLineUsed: Int = 0) -> [String] {
        var words: [String] = []
        var chunk = Data()
        // 12 characters of `=?UTF-8?B?` + `?=`; base64 turns 3 bytes into 4 characters.
        func budget() -> Int { max(3, (76 - (words.isEmpty ? firstLineUsed : 1) - 12) / 4 * 3) }
        for character in text {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > budget(), !chunk.isEmpty {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words
    }

    /// Folds ASCII text before spaces so lines stay within 78 characters where the words allow it; unfolding
    /// (removing each CRLF) gives the text back unchanged.
    static func fold(_ text: String, firstLineUsed: Int) -> String {
        var out = ""
        var lineLength = firstLineUsed
        for (index, word) in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index > 0 {
                if lineLength + 1 + word.count > 78 && lineLength > 1 {
                    out += "\r\n"
                    lineLength = 0
                }
                out += " "
                lineLength += 1
            }
            out += word
            lineLength += word.count
        }
        return out
    }

    /// A bare `local@domain` address, or nil when it holds anything that does not belong in one (spaces,
    /// controls, angle brackets, commas, quotes): addresses are rejected, never repaired.
    public static func address(_ value: String) -> String? {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, value.utf8.count <= 254 else { return nil }
        let forbidden = Set("<>()[]\\,;:\" \t\r\n")
        guard value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F }),
              !value.contains(where: { forbidden.contains($0) }) else { return nil }
        return value
    }

    /// Quoted-printable (RFC 2045) with CRLF line ends; input line ends may be LF or CRLF. Lines that start with
    /// a dot are left alone here: the SMTP layer dot-stuffs them.
    public static func quotedPrintable(_ text: String) -> String {
        // One pass over the UTF-8 bytes into one byte buffer: relayed notifications are tens of kilobytes, and
        // building a String per byte was half the time from webhook POST to 200.
        let input = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count + input.count / 4 + 2)
        let hex = Array("0123456789ABCDEF".utf8)
        let crlf: [UInt8] = [0x0D, 0x0A]
        var lineStart = 0
        var index = 0
        var firstLine = true
        func encode(_ line: Range<Int>) {
            if !firstLine { out.append(contentsOf: crlf) }
            firstLine = false
            var width = 0
            for i in line {
                let byte = input[i]
                let literal = ((byte == 0x20 || byte == 0x09) && i != line.upperBound - 1)
                    || (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                let length = literal ? 1 : 3
                // Soft line break: a line holds at most 76 characters including the trailing "=".
                if width + length > 75 {
                    out.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                    width = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    out.append(contentsOf: [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
                width += length
            }
        }
        // Line ends: CRLF, a lone CR or a lone LF.
        while index < input.count {
            switch input[index] {
            case 0x0D:
                encode(lineStart..<index)
                index += index + 1 < input.count && input[index + 1] == 0x0A ? 2 : 1
                lineStart = index
            case 0x0A:
                encode(lineStart..<index)
                index += 1
                lineStart = index
            default:
                index += 1
            }
        }
        encode(lineStart..<input.count)
        if !out.suffix(2).elementsEqual(crlf) { out.append(contentsOf: crlf) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `Sun, 29 Nov 2026 06:41:16 +0000` (gmtime_r: no calendar or time-zone database needed for UTC).
    public static func date(_ date: Date) -> String {
        let t = Timestamps.utcFields(date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) " +
            "\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) +0000"
    }
}
