import FoundationEssentials

/// A relay body is read into `JSONValue` first (instead of straight into the model), so that every error names
/// the field's path and what was found there.
typealias RelayJSON = JSONValue

extension JSONValue {
    /// What the value is, for error messages: `a string`, `an object`, …
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Typed, path-naming access to one JSON object's fields.
struct RelayJSONObject {
    let fields: [String: RelayJSON]
    /// The object's own path (`alerts[2]`), empty for the top level.
    let path: String

    init(_ value: RelayJSON, path: String) throws(RelayPayloadError) {
        guard case .object(let fields) = value else {
            throw path.isEmpty ? .body("must be a JSON object, not \(value.kind)") : .type(path, expected: "an object", got: value)
        }
        self.fields = fields
        self.path = path
    }

    /// `path.key`, or `path["odd key"]` when the key is not a plain identifier (label names may hold any UTF-8).
    func path(_ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.count <= 128
            && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        if !plain { return "\(path)[\(RelayPayloadError.quoted(key))]" }
        return path.isEmpty ? key : "\(path).\(key)"
    }

    /// A string field; nil when absent or null and not `required`.
    func string(_ key: String, required: Bool = false, maxBytes: Int) throws(RelayPayloadError) -> String? {
        switch fields[key] {
        case nil, .null?:
            if required { throw .missing(path(key)) }
            return nil
        case .string(let value)?:
            guard value.utf8.count <= maxBytes else { throw .tooLong(path(key), limit: maxBytes) }
            return value
        case let other?:
            throw .type(path(key), expected: "a string", got: other)
        }
    }

    /// A whole number field within `range`; nil when absent or null.
    func integer(_ key: String, range: ClosedRange<Int>) throws(RelayPayloadError) -> Int? {
        switch fields[key] {
        case nil, .null?:
            return nil
        case .number(let value)?:
            guard value.rounded() == value, value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw RelayPayloadError(path: path(key), problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return Int(value)
        case let other?:
            throw .type(path(key), expected: "a number", got: other)
        }
    }

    /// An object of string values (labels, annotations), sorted by name; empty when absent or null unless
    /// `required`. Names are 1...`RelayPayloadLimits.nameBytes` bytes, values at most `maxValueBytes`.
    func stringMap(_ key: String, required: Bool = false, maxValueBytes: Int) throws(RelayPayloadError) -> [(String, String)] {
        let value: RelayJSON
        switch fields[key] {
        case nil, .null?:
            if required { throw .missing(path(key)) }
            return []
        case let present?:
            value = present
        }
        let object = try RelayJSONObject(value, path: path(key))
        guard object.fields.count <= RelayPayloadLimits.entries else {
            throw RelayPayloadError(path: path(key), problem: "has \(object.fields.count) entries, more than \(RelayPayloadLimits.entries)")
        }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(object.fields.count)
        for name in object.fields.keys.sorted() {
            guard !name.isEmpty else { throw RelayPayloadError(path: path(key), problem: "has an entry with an empty name") }
            guard name.utf8.count <= RelayPayloadLimits.nameBytes else {
                throw RelayPayloadError(path: path(key), problem: "has a name longer than \(RelayPayloadLimits.nameBytes) bytes: "
                    + RelayPayloadError.quoted(name))
            }
            guard case .string(let text) = object.fields[name]! else {
                throw .type(object.path(name), expected: "a string", got: object.fields[name]!)
            }
            guard text.utf8.count <= maxValueBytes else { throw .tooLong(object.path(name), limit: maxValueBytes) }
            pairs.append((name, text))
        }
        return pairs
    }
}
