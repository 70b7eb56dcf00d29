/// One page of a paged listing: `{"<items key>": [...], "next_cursor": "41" | null}`. Pass `next_cursor`
/// back as `cursor` to get the next (older) page; null means this was the last one.
struct PageView<Item: Encodable & Sendable>: Encodable, Sendable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let itemsKey: String
    let items: [Item]
    let nextCursor: Int64?

    /// `fetched` holds up to `limit + 1` items, newest first: the extra one only tells that more exist.
    init(itemsKey: String, fetched: [Item], limit: Int, id: (Item) -> Int64) {
        self.itemsKey = itemsKey
        items = Array(fetched.prefix(limit))
        nextCursor = fetched.count > limit ? items.last.map(id) : nil
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(itemsKey))
        try container.encode(items.count, forKey: Key("count"))
        if let nextCursor {
            try container.encode(String(nextCursor), forKey: Key("next_cursor"))
        } else {
            try container.encodeNil(forKey: Key("next_cursor"))
        }
    }
}
