import Testing
import SecretWatchYAML

/// A long top-level list read item by item from the event stream: each item is handed out as a document of its
/// own, the tree keeps only the list's place and count.
@Suite("YAML reader: streamed list")
struct YAMLStreamingTests {
    func parse(_ text: String, key: String = "credentials") throws -> (YAMLNode?, [(Int, YAMLNode)]) {
        var items: [(Int, YAMLNode)] = []
        let document = try YAMLDocument.parse(text, streaming: key) { items.append(($0, $1)) }
        return (document?.root, items)
    }

    @Test("the items come one by one with their index and positions; the tree keeps the rest and the count")
    func streamsTheTopLevelList() throws {
        let text = "smtp:\n  host: h\ncredentials:\n  - name: a\n    tenant_id: t\n  - b\n  - [1, 2]\n  -\nafter: x\n"
        let (root, items) = try parse(text)
        #expect(items.map(\.0) == [0, 1, 2, 3])
        #expect(items[0].1.pairs?.map { $0.key.text } == ["name", "tenant_id"])
        #expect(items[0].1.pairs?.last?.value.mark == YAMLMark(line: 5, column: 16))
        #expect(items[1].1.text == "b" && items[1].1.mark == YAMLMark(line: 6, column: 5))
        #expect(items[2].1.items?.map(\.text) == ["1", "2"])
        #expect(items[3].1.isNull)
        let pairs = try #require(root?.pairs)
        #expect(pairs.map { $0.key.text } == ["smtp", "credentials", "after"])
        let list = pairs[1].value
        #expect(list.kind == .sequence && list.isStreamed && list.count == 4 && list.items?.isEmpty == true)
        #expect(list.mark == YAMLMark(line: 4, column: 3))
        #expect(pairs[2].value.text == "x" && pairs[0].value.pairs?.first?.value.text == "h")
    }

    @Test("only the first top-level sequence under the key is streamed")
    func onlyTheTopLevelSequence() throws {
        let (root, items) = try parse("smtp:\n  credentials: [a]\ncredentials: {x: 1}\nlist: [c]\ncredentials: [d]\n")
        #expect(items.isEmpty)
        let pairs = try #require(root?.pairs)
        #expect(pairs[0].value.pairs?.first?.value.items?.map(\.text) == ["a"])
        #expect(pairs[1].value.kind == .mapping)
        #expect(pairs[3].value.items?.map(\.text) == ["d"] && !pairs[3].value.isStreamed)

        let (again, twice) = try parse("credentials: [a, b]\ncredentials: [c]\n")
        #expect(twice.map { $0.1.text } == ["a", "b"])
        #expect(again?.pairs?.last?.value.items?.map(\.text) == ["c"])
        #expect(try parse("credentials: []\n").0?.pairs?.first?.value.count == 0)
    }

    @Test("a syntax error after streamed items still fails the parse")
    func errorAfterItems() throws {
        var seen = 0
        let failure = try #require(throws: YAMLError.self) {
            _ = try YAMLDocument.parse("credentials:\n  - a\n  - b\nafter: [\n", streaming: "credentials") { _, _ in seen += 1 }
        }
        #expect(seen == 2)
        #expect(failure.reason == "syntax")
    }

    @Test("refused features inside a streamed item are refused all the same")
    func refusedInsideItems() throws {
        let failure = try #require(throws: YAMLError.self) { _ = try parse("credentials:\n  - name: &n a\n") }
        #expect(failure.reason == "anchor" && failure.mark == YAMLMark(line: 2, column: 11))
    }
}
