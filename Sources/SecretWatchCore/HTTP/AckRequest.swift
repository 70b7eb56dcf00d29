import Foundation

/// The body of `POST /api/v1/alarms/{id}/ack`: `{"by": "alice", "comment": "rotating today"}`.
struct AckRequest: Sendable, Equatable {
    var by: String
    var comment: String?

    static let maxByLength = 100
    static let maxCommentLength = 1000

    init(by: String, comment: String?) {
        self.by = by
        self.comment = comment
    }

    /// Parses and checks the body; every problem is a 400 saying what is wrong.
    init(body: [UInt8]) throws(APIError) {
        guard !body.isEmpty else {
            throw .badRequest(#"missing JSON body: expected {"by": "<who>", "comment": "<why>"}"#)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body))
        } catch {
            throw .badRequest(#"body is not valid JSON: expected {"by": "<who>", "comment": "<why>"}"#)
        }
        guard let fields = object as? [String: Any] else {
            throw .badRequest(#"body must be a JSON object such as {"by": "<who>", "comment": "<why>"}"#)
        }
        for key in fields.keys.sorted() where key != "by" && key != "comment" {
            throw .badRequest("unknown field \"\(key.prefix(40))\" in body (accepted: by, comment)")
        }
        guard let byValue = fields["by"] else { throw .badRequest(#"field "by" is required: who acknowledges"#) }
        guard let by = byValue as? String else { throw .badRequest(#"field "by" must be a string"#) }
        try Self.refuseControlCharacters(by, field: "by")
        let trimmed = by.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .badRequest(#"field "by" is empty: say who acknowledges"#) }
        guard trimmed.count <= Self.maxByLength else { throw .badRequest("field \"by\" is longer than \(Self.maxByLength) characters") }
        var comment: String?
        switch fields["comment"] {
        case nil, is NSNull: comment = nil
        case let text as String:
            guard text.count <= Self.maxCommentLength else {
                throw .badRequest("field \"comment\" is longer than \(Self.maxCommentLength) characters")
            }
            try Self.refuseControlCharacters(text, field: "comment")
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            comment = t.isEmpty ? nil : t
        default:
            throw .badRequest(#"field "comment" must be a string"#)
        }
        self.init(by: trimmed, comment: comment)
    }

    /// Escape sequences, line breaks and NUL would reach terminals and logs (or cut the text short in SQLite).
    private static func refuseControlCharacters(_ text: String, field: String) throws(APIError) {
        if let scalar = VisibleText.firstRefused(in: text) {
            throw .badRequest("field \"\(field)\" contains a control character or line break (\(VisibleText.escaped(String(scalar)))); only tab is allowed")
        }
    }
}
