import FoundationEssentials

/// Any JSON value, read with `JSONDecoder` (what the product reads from Microsoft's answers, SMTP challenges
/// and API request bodies), for callers that check each field and say which one is wrong; written with
/// `JSONEncoder` (the demo's Graph applications).
enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON array or object `data` holds; nil when it is not JSON or a bare string, number, boolean or null
    /// (as Foundation's `JSONSerialization` without `.fragmentsAllowed`).
    static func parse(_ data: some Sequence<UInt8>) -> JSONValue? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(data)) else { return nil }
        switch value {
        case .array, .object: return value
        default: return nil
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .number(let d): if let i = Int(exactly: d) { try container.encode(i) } else { try container.encode(d) }
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }

    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var isNull: Bool { self == .null }

    /// A number that is a whole number an `Int` holds (`3599`, `3599.0`); nil otherwise.
    var integer: Int? {
        guard case .number(let d) = self else { return nil }
        return Int(exactly: d)
    }

    /// A number rounded toward zero when an `Int` holds it (`3599.7` → 3599); nil otherwise.
    var truncatedInteger: Int? {
        guard case .number(let d) = self else { return nil }
        return Int(exactly: d.rounded(.towardZero))
    }

    /// The value as text: a string as it is, a whole number without a fraction (`400`), another number as Swift
    /// prints it, `true`/`false`/`null`, arrays and objects as compact JSON-like text.
    var text: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let d): Int(exactly: d).map(String.init) ?? String(d)
        case .string(let s): s
        case .array(let a): "[" + a.map(\.text).joined(separator: ",") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\($0):\(o[$0]!.text)" }.joined(separator: ",") + "}"
        }
    }
}
