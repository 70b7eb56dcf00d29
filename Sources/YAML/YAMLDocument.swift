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
        var text = text
        // withUTF8 and withUnsafeBufferPointer rethrow untyped errors: carry the typed one out in a Result.
        return try text.withUTF8 { bytes in Result { () throws(YAMLError) in try parse(bytes) } }.get()
    }

    /// The same from bytes, which libyaml checks to be UTF-8.
    public static func parse(_ bytes: [UInt8]) throws(YAMLError) -> YAMLDocument? {
        try bytes.withUnsafeBufferPointer { bytes in Result { () throws(YAMLError) in try parse(bytes) } }.get()
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(YAMLError) -> YAMLDocument? {
        let parser = try YAMLEventParser(bytes)
        var builder = YAMLDocumentBuilder()
        var document: YAMLDocument?
        while true {
            let event = try parser.next()
            switch event.kind {
            case .streamStart, .documentEnd:
                continue
            case .streamEnd:
                return document
            case .documentStart:
                if document != nil { throw YAMLError.secondDocument(at: event.mark) }
            default:
                if let finished = try builder.add(event) { document = finished }
            }
        }
    }
}
