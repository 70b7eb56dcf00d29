/// One SMTP reply line such as `535 5.7.3 Authentication unsuccessful`, split into its parts.
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    /// RFC 3463 enhanced status code (`5.7.3`), when the line has one.
    public var enhancedCode: String?
    /// The whole line, as received.
    public var line: String
    /// `250-…` (more lines follow) rather than `250 …`.
    public var continues: Bool

    public init?(_ line: String) {
        let chars = Array(line.utf8)
        guard chars.count >= 3, chars[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
              let code = Int(String(decoding: chars[0...2], as: UTF8.self)) else { return nil }
        self.code = code
        self.line = line
        continues = chars.count > 3 && chars[3] == UInt8(ascii: "-")
        let rest = line.dropFirst(4)
        let first = rest.prefix(while: { !$0.isWhitespace })
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
           ["2", "4", "5"].contains(String(parts[0])) {
            enhancedCode = String(first)
        } else {
            enhancedCode = nil
        }
    }

    public var isPositive: Bool { code < 400 }
    public var isTransient: Bool { (400..<500).contains(code) }
}
