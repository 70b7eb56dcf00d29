import FoundationEssentials

/// base64url without padding (RFC 4648 §5, as JOSE uses it: RFC 7515 §2): the one encoder for JWT parts and
/// the `x5t` / `x5t#S256` thumbprints.
public enum Base64URL {
    public static func encode(_ bytes: some DataProtocol) -> String {
        var text = Data(bytes).base64EncodedString()
        text = String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    public static func encode(_ text: String) -> String { encode(Data(text.utf8)) }

    /// The bytes of base64url text without padding (as JOSE writes it), or nil when it is not that.
    public static func decode(_ text: String) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        guard standard.count % 4 != 1 else { return nil }
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard)
    }
}
