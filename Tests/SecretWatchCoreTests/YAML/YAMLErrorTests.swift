import Testing
import SecretWatchYAML

/// What the YAML reader refuses, and how it says so: libyaml's problem text with line and column, or one of the
/// features a configuration does not use (anchors, aliases, tags, several documents).
@Suite("YAML reader: errors")
struct YAMLErrorTests {
    func error(_ text: String) throws -> YAMLError {
        try #require(throws: YAMLError.self) { _ = try YAMLDocument.parse(text) }
    }

    func error(bytes: [UInt8]) throws -> YAMLError {
        try #require(throws: YAMLError.self) { _ = try YAMLDocument.parse(bytes) }
    }

    @Test("a syntax error names libyaml's problem, its context, line and column")
    func syntaxError() throws {
        let failure = try error("# a comment\nsmtp:\n  auth: [unclosed\n  host: x\n")
        #expect(failure.description == "did not find expected ',' or ']' while parsing a flow sequence at line 4, column 7")
        #expect(failure.mark == YAMLMark(line: 4, column: 7))
        #expect(failure.reason == "syntax")
    }

    @Test("a mapping key indented wrongly is reported where it is")
    func badIndentation() throws {
        let failure = try error("smtp:\n  host: x\n port: 25\n")
        #expect(failure.description == "did not find expected key while parsing a block mapping at line 3, column 2")
    }

    @Test("a tab where indentation is expected is a syntax error at the tab")
    func tabs() throws {
        let failure = try error("smtp:\n\thost: x\n")
        #expect(failure.description == "found character that cannot start any token while scanning for the next token at line 2, column 1")
        // A tab inside a value is just text.
        #expect(try YAMLDocument.parse("a: \"x\ty\"\n")?.root.pairs?.first?.value.text == "x\ty")
    }

    @Test("bytes that are not UTF-8 are refused with the byte and where it is")
    func invalidUTF8() throws {
        let failure = try error(bytes: Array("a: ok\nbé: ".utf8) + [0xFF, 0x0A])
        #expect(failure.description == "invalid leading UTF-8 octet (byte 0xFF) at line 2, column 5")
        #expect(failure.reason == "encoding")
        let truncated = try error(bytes: Array("a: ".utf8) + [0xC3])
        #expect(truncated.description == "incomplete UTF-8 octet sequence at line 1, column 4")
    }

    @Test("a control character is refused with its code point and where it is")
    func controlCharacter() throws {
        let failure = try error("a: x\u{07}\n")
        #expect(failure.description == "control characters are not allowed (U+0007) at line 1, column 5")
    }

    @Test("an anchor is refused where it is defined, naming it")
    func anchors() throws {
        let failure = try error("defaults: &common\n  tenant_id: t\n")
        #expect(failure.description == "anchors (&common) are not supported at line 1, column 11: write the value out where it is used")
        #expect(failure.reason == "anchor")
    }

    @Test("an alias is refused where it is used, naming it")
    func aliases() throws {
        let failure = try error("a: 1\nb: *common\n")
        #expect(failure.description == "aliases (*common) are not supported at line 2, column 4: write the value out where it is used")
        #expect(failure.reason == "alias")
    }

    @Test("an explicit tag is refused, shown as written")
    func tags() throws {
        #expect(try error("a: !!str 123\n").description == "tags (!!str) are not supported at line 1, column 4: remove it; each field reads its value as text and checks it")
        #expect(try error("a: !custom x\n").description == "tags (!custom) are not supported at line 1, column 4: remove it; each field reads its value as text and checks it")
        #expect(try error("a: !!map {b: 1}\n").reason == "tag")
    }

    @Test("a second document is refused where it starts")
    func multipleDocuments() throws {
        let failure = try error("a: 1\n---\nb: 2\n")
        #expect(failure.description == "a second YAML document starts at line 2, column 1: the file must hold one document (remove the extra \"---\" line)")
        #expect(failure.reason == "documents")
        #expect(try error("--- a\n--- b\n").mark == YAMLMark(line: 2, column: 1))
        // An end marker alone does not start another document.
        #expect(try YAMLDocument.parse("a: 1\n...\n")?.root.count == 1)
    }
}
