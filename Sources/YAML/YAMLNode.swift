/// A node of a `YAMLDocument`: a scalar (text with its style), a sequence of nodes, or a mapping of key/value
/// pairs in the order written, duplicates included (the reader of the mapping decides what a repeated key means).
/// A small value: the document and the node's place in it.
public struct YAMLNode: Sendable {
    public enum Kind: UInt8, Sendable {
        case scalar, sequence, mapping
    }

    /// How a scalar was written. Only a plain scalar can mean null (`~`, `null`, nothing); `"123"` is text.
    public enum ScalarStyle: UInt8, Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    let document: YAMLDocument
    let index: Int

    init(document: YAMLDocument, index: Int) {
        self.document = document
        self.index = index
    }

    private var record: YAMLDocument.Record { document.records[index] }

    public var kind: Kind { record.kind }

    /// Where the node starts.
    public var mark: YAMLMark { YAMLMark(line: Int(record.line), column: Int(record.column)) }

    /// A scalar's text (YAML's escapes and folding applied); nil for a collection.
    public var text: String? {
        let record = record
        guard record.kind == .scalar else { return nil }
        let start = Int(record.start)
        return document.text.withUnsafeBufferPointer { bytes in
            String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<start + Int(record.length)]), as: UTF8.self)
        }
    }

    /// A scalar's style; nil for a collection.
    public var style: ScalarStyle? { record.kind == .scalar ? record.style : nil }

    /// A plain `~`, `null`, `Null`, `NULL` or nothing at all (`key:`): YAML's null.
    public var isNull: Bool {
        guard record.kind == .scalar, record.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }

    /// A sequence's items, or a mapping's keys and values alternating; empty for a scalar.
    private var children: [YAMLNode] {
        let record = record
        guard record.kind != .scalar, !record.streamed else { return [] }
        var children: [YAMLNode] = []
        children.reserveCapacity(Int(record.length))
        var child = index + 1
        while child < Int(record.end) {
            children.append(YAMLNode(document: document, index: child))
            child = Int(document.records[child].end)
        }
        return children
    }

    /// A sequence whose items were handed out one by one while the document was read and not kept
    /// (`YAMLDocument.parse(_:streaming:each:)`): `items` is empty, `count` says how many there were.
    public var isStreamed: Bool { record.streamed }

    /// A sequence's items in order; nil for a scalar or a mapping.
    public var items: [YAMLNode]? { record.kind == .sequence ? children : nil }

    /// A mapping's pairs in the order written, a repeated key as often as it appears; nil for a scalar or a
    /// sequence.
    public var pairs: [(key: YAMLNode, value: YAMLNode)]? {
        guard record.kind == .mapping else { return nil }
        let children = children
        return stride(from: 0, to: children.count - 1, by: 2).map { (children[$0], children[$0 + 1]) }
    }

    /// Items of a sequence, pairs of a mapping, 0 for a scalar.
    public var count: Int {
        switch record.kind {
        case .scalar: 0
        case .sequence: Int(record.length)
        case .mapping: Int(record.length) / 2
        }
    }
}
