import Foundation
import Testing
@testable import SecretWatchCore

/// The text, number and JSON helpers that stand in for Foundation's: the results Foundation gives on Linux.
@Suite("Text, number and JSON helpers")
struct TextHelpersTests {
    @Test func everyOccurrenceIsReplacedByteForByte() {
        #expect("a{tenant}b{tenant}".replacingEvery("{tenant}", with: "t1") == "at1bt1")
        #expect("x\r\ny\rz".replacingEvery("\r\n", with: "\n").replacingEvery("\r", with: "\n") == "x\ny\nz")
        #expect("x\r\ny".replacingEvery("\n", with: " ") == "x\r y")
        // A combining mark after a secret does not hide it from the redactor.
        #expect("key=s3cret\u{301}".replacingEvery("s3cret", with: "[REDACTED]") == "key=[REDACTED]\u{301}")
        #expect("unchanged".replacingEvery("", with: "x") == "unchanged")
        #expect("aaa".replacingEvery("aa", with: "b") == "ba")
    }

    @Test func aLiteralRangeIsFoundFromAnIndex() throws {
        let text = "{a} {b}"
        let first = try #require(text.literalRange(of: "}"))
        #expect(text[..<first.lowerBound] == "{a")
        let second = try #require(text.literalRange(of: "}", from: first.upperBound))
        #expect(text[..<second.lowerBound] == "{a} {b")
        #expect(text.literalRange(of: "}", from: second.upperBound) == nil)
        #expect(text.literalRange(of: "c") == nil)
    }

    @Test func trimmingTakesFoundationsSpacesAndLineBreaks() {
        #expect(" \t\u{A0}x y\u{2003}\t".trimmingSpaces == "x y")
        #expect("\n".trimmingSpaces == "\n")
        #expect(" \r\n\u{85}\u{2028}\u{2029}\u{B}\u{C}x\n ".trimmingSpacesAndNewlines == "x")
        #expect("\u{200B}x\u{200B}".trimmingSpacesAndNewlines == "x")
        #expect("\u{200B}x\u{200B}".trimmingSpaces == "x")
        #expect("\u{200C}x".trimmingSpacesAndNewlines == "\u{200C}x")
        #expect(" \n ".trimmingSpacesAndNewlines == "")
        #expect(Substring(" ab ").trimmingSpaces == "ab")
    }

    @Test func aColumnIsCutOrPadded() {
        #expect("ok".fitted(to: 4) == "ok  ")
        #expect("expired".fitted(to: 4) == "expi")
        #expect("abcd".fitted(to: 4) == "abcd")
    }

    @Test func identifiersCompareWithoutCase() {
        #expect("1D5A7C3E-0000-4000-8000-00000000000A".equalsIgnoringCase("1d5a7c3e-0000-4000-8000-00000000000a"))
        #expect(!"1d5a7c3e".equalsIgnoringCase("1d5a7c3f"))
    }

    @Test func numbersAreFormattedAsPrintfDoes() {
        #expect(String(cFormat: "%.3f", 1.23456) == "1.235")
        #expect(String(cFormat: "%.2f s", 0.5) == "0.50 s")
        #expect(String(cFormat: "%6.0f ms", 12.4) == "    12 ms")
        #expect(String(cFormat: "=%02X", 0x0A) == "=0A")
        #expect(String(cFormat: "%08x-%012d", 255, 42) == "000000ff-000000000042")
        let long = String(cFormat: "%0300d", 7)
        #expect(long.count == 300 && long.hasSuffix("07"))
    }

    @Test func percentEncodingRoundTrips() {
        #expect(PercentEncoding.encode("pa ss+é", keeping: PercentEncoding.isASCIIAlphanumeric) == "pa%20ss%2B%C3%A9")
        #expect(PercentEncoding.decode("pa%20ss%2B%C3%A9") == "pa ss+é")
        #expect(PercentEncoding.decode("p%2b") == "p+")
        #expect(PercentEncoding.decode("100%") == nil)
        #expect(PercentEncoding.decode("%zz") == nil)
        #expect(PercentEncoding.decode("%FF") == nil)
    }

    @Test func jsonIsAnArrayOrAnObjectAtTopLevel() throws {
        #expect(JSONValue.parse(Data("42".utf8)) == nil)
        #expect(JSONValue.parse(Data(#""text""#.utf8)) == nil)
        #expect(JSONValue.parse(Data("null".utf8)) == nil)
        #expect(JSONValue.parse(Data("{".utf8)) == nil)
        let value = try #require(JSONValue.parse(Data(#"{"a":[1,2.5,"x",true,null,{}],"b":"é"}"#.utf8)))
        #expect(value.object?["b"]?.string == "é")
        #expect(value.object?["a"]?.array == [.number(1), .number(2.5), .string("x"), .bool(true), .null, .object([:])])
        #expect(value.object?["a"]?.array?.first?.integer == 1)
        #expect(value.object?["a"]?.array?[1].integer == nil)
        #expect(value.object?["a"]?.text == "[1,2.5,x,true,null,{}]")
    }
}
