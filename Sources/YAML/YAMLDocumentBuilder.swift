/// Builds a `YAMLDocument` from a document's events: appends a record per node and patches each collection's
/// item count and end when it closes.
struct YAMLDocumentBuilder {
    private var records: [YAMLDocument.Record] = []
    private var text: [UInt8] = []
    /// The collections being read: their record index and items so far.
    private var open: [(index: Int, items: UInt32)] = []
    /// The record of the key being read or last read in the top-level mapping (the value's key).
    private var topLevelKey: Int?

    /// Nothing added since the last document was handed out.
    var isEmpty: Bool { records.isEmpty }

    /// Adds a scalar or a collection's start or end; returns the document when its top node is complete.
    /// `streamed`: the sequence starting here keeps no items (they were handed out one by one instead), and the
    /// end of a streamed sequence says how many there were in `streamedItems`.
    mutating func add(_ event: YAMLEventParser.Event, streamed: Bool = false,
                      streamedItems: Int = 0) throws(YAMLError) -> YAMLDocument? {
        switch event.kind {
        case .scalar:
            let start = text.count
            text.append(contentsOf: event.value)
            try append(kind: .scalar, style: event.style, start: start, length: event.value.count, event.mark)
        case .sequenceStart:
            try append(kind: .sequence, style: .plain, start: 0, length: 0, event.mark, streamed: streamed)
            open.append((records.count - 1, 0))
        case .mappingStart:
            try append(kind: .mapping, style: .plain, start: 0, length: 0, event.mark)
            open.append((records.count - 1, 0))
        case .sequenceEnd, .mappingEnd:
            let closed = open.removeLast()
            records[closed.index].length = records[closed.index].streamed ? try Self.narrow(streamedItems, "items") : closed.items
            records[closed.index].end = try Self.narrow(records.count, "nodes")
        default:
            preconditionFailure("a document holds no \(event.kind) event")
        }
        guard open.isEmpty else { return nil }
        defer { self = YAMLDocumentBuilder() }
        records.shrinkToFit()
        text.shrinkToFit()
        return YAMLDocument(records: records, text: text)
    }

    /// Whether the node about to start is the value of `key` in the top-level mapping.
    func isTopLevelValue(of key: String) -> Bool {
        guard open.count == 1, records[open[0].index].kind == .mapping, open[0].items % 2 == 1,
              let keyIndex = topLevelKey, records[keyIndex].kind == .scalar else { return false }
        let record = records[keyIndex]
        return text[Int(record.start)..<Int(record.start + record.length)].elementsEqual(key.utf8)
    }

    private mutating func append(kind: YAMLNode.Kind, style: YAMLNode.ScalarStyle, start: Int, length: Int,
                                 _ mark: YAMLMark, streamed: Bool = false) throws(YAMLError) {
        let index = records.count
        if open.count == 1 && open[0].items % 2 == 0 && records[open[0].index].kind == .mapping { topLevelKey = index }
        if !open.isEmpty { open[open.count - 1].items += 1 }
        records.append(YAMLDocument.Record(
            start: try Self.narrow(start + length, "text") - UInt32(length), length: UInt32(truncatingIfNeeded: length),
            end: try Self.narrow(index + 1, "nodes"), line: try Self.narrow(mark.line, "lines"),
            column: UInt32(clamping: mark.column), kind: kind, style: style, streamed: streamed))
    }

    private static func narrow(_ value: Int, _ what: String) throws(YAMLError) -> UInt32 {
        guard let narrow = UInt32(exactly: value) else { throw YAMLError.tooLarge("more than 4 GiB of \(what)") }
        return narrow
    }
}

extension Array {
    /// Gives back the capacity that growth by doubling left unused (large arrays only: a copy is not free).
    mutating func shrinkToFit() {
        guard count >= 4096, capacity > count + count / 16 else { return }
        self = Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = withUnsafeBufferPointer { source in
                _ = buffer.initialize(fromContentsOf: source)
                return source.count
            }
        }
    }
}
