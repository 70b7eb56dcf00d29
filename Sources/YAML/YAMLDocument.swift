/// A parsed YAML document, stored compactly: one 24-byte record per node, in document order, and every scalar's
/// text in one byte array. A 16 MB configuration of 100,000 credentials takes about 35 MB this way; a tree of
/// objects and strings takes several times that. Read it through `root` (`YAMLNode`).
///
/// Immutable once read, so it can be shared between threads.
public final class YAMLDocument: Sendable {
    /// A node. Scalars: `start`/`length` locate the text in `text`. Collections: `length` is the number of items
    /// (a mapping's keys and values alternate, so it has `length / 2` pairs), and the items follow the record.
    /// Every node: `end` is the index just past its last descendant, the way to step over it.
    struct Record: Sendable {
        var start: UInt32
        var length: UInt32
        var end: UInt32
        var line: UInt32
        var column: UInt32
        var kind: YAMLNode.Kind
        var style: YAMLNode.ScalarStyle
        /// A sequence whose items were handed out one by one while reading (`parse(_:streaming:each:)`) and not
        /// kept: `length` says how many there were.
        var streamed: Bool = false
    }

    let records: [Record]
    let text: [UInt8]

    init(records: [Record], text: [UInt8]) {
        self.records = records
        self.text = text
    }

    /// The document's top node.
    public var root: YAMLNode { YAMLNode(document: self, index: 0) }

    /// Reads a YAML text holding at most one document; nil when it holds none (empty, or only comments).
    /// Anchors, aliases and explicit tags are refused, as is a second document.
    public static func parse(_ text: String) throws(YAMLError) -> YAMLDocument? {
        try parse(text, streaming: nil) { _, _ in }
    }

    /// The same from bytes, which libyaml checks to be UTF-8.
    public static func parse(_ bytes: [UInt8]) throws(YAMLError) -> YAMLDocument? {
        try bytes.withUnsafeBufferPointer { bytes in Result { () throws(YAMLError) in try parse(bytes, nil) { _, _ in } } }.get()
    }

    /// Reads a YAML text like `parse(_:)`, except for a list too long to hold as a tree: when the top-level
    /// mapping's first value for `key` is a sequence, each item is handed to `each` with its
    /// index as soon as it is read, as a document of its own, and then dropped. That sequence stays in the
    /// document with its `count` and position but without items. `each` runs before the rest of the document is
    /// read; after a later syntax error the parse still throws.
    public static func parse(_ text: String, streaming key: String?,
                             each: (Int, YAMLNode) -> Void) throws(YAMLError) -> YAMLDocument? {
        var text = text
        // withUTF8 and withUnsafeBufferPointer rethrow untyped errors: carry the typed one out in a Result.
        return try text.withUTF8 { bytes in Result { () throws(YAMLError) in try parse(bytes, key, each: each) } }.get()
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ key: String?,
                      each: (Int, YAMLNode) -> Void) throws(YAMLError) -> YAMLDocument? {
        let parser = try YAMLEventParser(bytes)
        var builder = YAMLDocumentBuilder()
        var document: YAMLDocument?
        // The streamed list, while it is being read: its item builder and the items handed out so far.
        var item: YAMLDocumentBuilder?
        var streamedItems = 0
        var keySeen = false
        // The key's first value is the one a reader uses: only that one is streamed, if it is a list.
        func startsFirstValue() -> Bool {
            guard !keySeen, let key, builder.isTopLevelValue(of: key) else { return false }
            keySeen = true
            return true
        }
        while true {
            let event = try parser.next()
            if item != nil {
                if event.kind == .sequenceEnd && item!.isEmpty {
                    item = nil
                    _ = try builder.add(event, streamedItems: streamedItems)
                } else if let finished = try item!.add(event) {
                    each(streamedItems, finished.root)
                    streamedItems += 1
                }
                continue
            }
            switch event.kind {
            case .streamStart, .documentEnd:
                continue
            case .streamEnd:
                return document
            case .documentStart:
                if document != nil { throw YAMLError.secondDocument(at: event.mark) }
            case .sequenceStart where startsFirstValue():
                item = YAMLDocumentBuilder()
                _ = try builder.add(event, streamed: true)
            default:
                if event.kind == .scalar || event.kind == .mappingStart {
                    _ = startsFirstValue()  // the key's first value is not a list: nothing is streamed
                }
                if let finished = try builder.add(event) { document = finished }
            }
        }
    }
}
