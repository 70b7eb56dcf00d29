import Foundation
import Testing
@testable import SecretWatchCore

/// `MIMEEncoding.quotedPrintable` (one pass into one byte buffer) writes the bytes the straightforward encoder below
/// writes (a String per byte, Foundation's replacing and formatting), for every kind of line end, byte and length.
@Suite struct QuotedPrintableTests {
    static func reference(_ text: String) -> String {
        var out = ""
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let lines = normalised.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            var width = 0
            for (i, byte) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                let token = ((byte == 0x20 || byte == 0x09) && !isLast) || (byte >= 33 && byte <= 126 && byte != 0x3D)
                    ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
                if width + token.count > 75 {
                    out += "=\r\n"
                    width = 0
                }
                out += token
                width += token.count
            }
            if index < lines.count - 1 { out += "\r\n" }
        }
        if !out.hasSuffix("\r\n") { out += "\r\n" }
        return out
    }

    @Test func edgeCasesMatchTheReference() {
        let cases = ["", "\n", "\r", "\r\n", "\r\r\n\n", "a", "a ", "a\t", " \n", "=", "é", "line\nnext\n", "x\r\ny\rz\n",
                     String(repeating: "a", count: 75), String(repeating: "a", count: 76), String(repeating: "=", count: 30),
                     String(repeating: "é", count: 40) + "\n", "ends with space ", "\u{1B}[31mred\u{7F}", ".dot first\n.\n"]
        for text in cases {
            #expect(MIMEEncoding.quotedPrintable(text) == Self.reference(text), "\(text.debugDescription)")
        }
    }

    @Test func randomTextMatchesTheReference() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [String] = ["a", "Z", "0", " ", "\t", "=", "\r", "\n", "\r\n", "é", "€", "😀", "\u{0}", "\u{7F}", ".", "<", "~"]
        for _ in 0..<500 {
            let length = Int.random(in: 0...300, using: &generator)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            #expect(MIMEEncoding.quotedPrintable(text) == Self.reference(text), "\(text.debugDescription)")
        }
    }
}
