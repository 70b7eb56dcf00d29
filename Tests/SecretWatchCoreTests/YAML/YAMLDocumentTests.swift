import Testing
import SecretWatchYAML

/// The YAML reader over libyaml's events: what the compact tree holds for scalars, mappings and sequences.
@Suite("YAML reader: documents")
struct YAMLDocumentTests {
    func root(_ text: String) throws -> YAMLNode {
        try #require(try YAMLDocument.parse(text)).root
    }

    func pairs(_ node: YAMLNode) throws -> [(key: String, value: YAMLNode)] {
        try #require(node.pairs).map { (try #require($0.key.text), $0.value) }
    }

    @Test("scalars keep their text, style and position; only plain ones can be null")
    func scalarsAndStyles() throws {
        let text = """
            plain: 123
            single: '123'
            double: "a\\tb \\u00e9"
            literal: |
              one
              two
            folded: >
              one
              two
            tilde: ~
            word: null
            quoted_null: "null"
            empty:
            """
        let fields = try pairs(try root(text))
        #expect(fields.map(\.key) == ["plain", "single", "double", "literal", "folded", "tilde", "word", "quoted_null", "empty"])
        let values = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) })
        #expect(values["plain"]?.text == "123" && values["plain"]?.style == .plain)
        #expect(values["single"]?.text == "123" && values["single"]?.style == .singleQuoted)
        #expect(values["double"]?.text == "a\tb é" && values["double"]?.style == .doubleQuoted)
        #expect(values["literal"]?.text == "one\ntwo\n" && values["literal"]?.style == .literal)
        #expect(values["folded"]?.text == "one two\n" && values["folded"]?.style == .folded)
        #expect(values["tilde"]?.isNull == true && values["word"]?.isNull == true && values["empty"]?.isNull == true)
        #expect(values["empty"]?.text == "")
        #expect(values["quoted_null"]?.isNull == false && values["single"]?.isNull == false)
        #expect(values["plain"]?.mark == YAMLMark(line: 1, column: 8))
        #expect(values["double"]?.mark == YAMLMark(line: 3, column: 9))
        #expect(values["plain"]?.kind == .scalar && values["plain"]?.count == 0 && values["plain"]?.items == nil)
    }

    @Test("nested mappings keep their order and positions")
    func nestedMappings() throws {
        let top = try root("smtp:\n  auth:\n    mailbox: a@b.example\n    tenant_id: t\n  host: h\nlog_level: debug\n")
        let fields = try pairs(top)
        #expect(fields.map(\.key) == ["smtp", "log_level"])
        #expect(top.kind == .mapping && top.count == 2 && top.text == nil && top.style == nil)
        let smtp = try pairs(fields[0].value)
        #expect(smtp.map(\.key) == ["auth", "host"])
        let auth = try pairs(smtp[0].value)
        #expect(auth.map(\.key) == ["mailbox", "tenant_id"])
        #expect(auth.map { $0.value.text } == ["a@b.example", "t"])
        #expect(auth[1].value.mark == YAMLMark(line: 4, column: 16))
        #expect(smtp[1].value.text == "h" && fields[1].value.text == "debug")
    }

    @Test("a key written twice is kept twice, in order, for the reader to report")
    func duplicateKeys() throws {
        let fields = try pairs(try root("a: 1\nb: 2\na: 3\n"))
        #expect(fields.map(\.key) == ["a", "b", "a"])
        #expect(fields.map { $0.value.text } == ["1", "2", "3"])
        #expect(fields[2].value.mark == YAMLMark(line: 3, column: 4))
    }

    @Test("block and flow sequences, nested in mappings and in each other")
    func sequences() throws {
        let fields = try pairs(try root("to: [a@b.example, 'c@d.example']\nlist:\n  - x\n  - [1, 2]\n  - k: v\n  -\nempty: []\n"))
        let to = try #require(fields[0].value.items)
        #expect(to.map(\.text) == ["a@b.example", "c@d.example"] && to.map(\.style) == [.plain, .singleQuoted])
        let list = try #require(fields[1].value.items)
        #expect(fields[1].value.kind == .sequence && fields[1].value.count == 4 && fields[1].value.pairs == nil)
        #expect(list[0].text == "x")
        #expect(list[1].items?.map(\.text) == ["1", "2"])
        #expect(try pairs(list[2]).map(\.key) == ["k"])
        #expect(list[3].isNull)
        #expect(fields[2].value.items?.isEmpty == true && fields[2].value.count == 0)
    }

    @Test("a text without a document gives none; a bare document marker gives a null root")
    func emptyDocuments() throws {
        #expect(try YAMLDocument.parse("") == nil)
        #expect(try YAMLDocument.parse("# only a comment\n\n") == nil)
        #expect(try root("---\n").isNull)
        #expect(try root("--- # comment\n...\n").isNull)
        #expect(try root("%YAML 1.1\n---\na: 1\n").count == 1)
    }

    @Test("a list of 100,000 mappings reads whole")
    func largeList() throws {
        var text = "credentials:\n"
        for i in 0..<100_000 {
            text += "  - name: app-\(i)\n    client_id: 9a8b7c6d-5e4f-4a3b-8c2d-\(String(i).leftPadded(12))\n"
        }
        let list = try #require(try pairs(try root(text)).first?.value)
        #expect(list.count == 100_000)
        let items = try #require(list.items)
        #expect(items.count == 100_000)
        let last = try pairs(items[99_999])
        #expect(last.map(\.key) == ["name", "client_id"])
        #expect(last[0].value.text == "app-99999")
        #expect(last[1].value.text == "9a8b7c6d-5e4f-4a3b-8c2d-000000099999")
        #expect(items[99_999].mark == YAMLMark(line: 2 + 2 * 99_999, column: 5))
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
