/// Percent-encoding of UTF-8 text (RFC 3986 §2.1, uppercase hex), as Foundation's `addingPercentEncoding` and
/// `removingPercentEncoding` do it.
enum PercentEncoding {
    /// `text` with every UTF-8 byte of a scalar that `keep` refuses written as `%XX`.
    static func encode(_ text: String, keeping keep: (Unicode.Scalar) -> Bool) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if keep(scalar) {
                out.append(scalar)
                continue
            }
            for byte in String(scalar).utf8 {
                out.append(contentsOf: "%\(hex(byte >> 4))\(hex(byte & 0x0F))".unicodeScalars)
            }
        }
        return String(out)
    }

    /// RFC 3986's unreserved characters: ASCII letters and digits, `-`, `.`, `_`, `~`.
    static func isUnreserved(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (isASCIIAlphanumeric(scalar) || "-._~".unicodeScalars.contains(scalar))
    }

    /// ASCII letters and digits: what Foundation's `addingPercentEncoding(withAllowedCharacters: .alphanumerics)`
    /// keeps on Linux (every non-ASCII byte is encoded).
    static func isASCIIAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
    }

    /// `text` with each `%XX` turned back into its byte; nil when a `%` is not followed by two hex digits or the
    /// bytes are not UTF-8.
    static func decode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ nibble: UInt8) -> Character {
        Character(Unicode.Scalar(nibble < 10 ? nibble + 0x30 : nibble - 10 + 0x41))
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
