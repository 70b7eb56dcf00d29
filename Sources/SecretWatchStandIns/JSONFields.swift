import Foundation

/// One JSON object of the stand-in's input, read field by field: each problem names the field's path.
struct JSONFields {
    let object: [String: Any]
    let path: String

    /// Refuses anything but an object, and any property not in `known`.
    init(_ value: Any, at path: String, known: [String]) throws(StandInApplicationsError) {
        guard let object = value as? [String: Any] else { throw StandInApplicationsError(field: path, problem: "is not an object") }
        self.object = object
        self.path = path
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw error(unknown, "is not a property the stand-in knows (\(known.joined(separator: ", ")))")
        }
    }

    func error(_ key: String, _ problem: String) -> StandInApplicationsError {
        StandInApplicationsError(field: path.isEmpty ? key : "\(path).\(key)", problem: problem)
    }

    /// A required, non-empty string.
    func string(_ key: String) throws(StandInApplicationsError) -> String {
        guard let value = try optional(key), !value.isEmpty else { throw error(key, "is missing or empty") }
        return value
    }

    /// A string, or nil when absent or null.
    func optional(_ key: String) throws(StandInApplicationsError) -> String? {
        switch object[key] {
        case nil, is NSNull: return nil
        case let value as String: return value
        default: throw error(key, "is not a string")
        }
    }

    /// A list of strings; empty when absent or null.
    func strings(_ key: String) throws(StandInApplicationsError) -> [String] {
        var strings: [String] = []
        for (i, item) in try list(key).enumerated() {
            guard let string = item as? String else { throw error("\(key)[\(i)]", "is not a string") }
            strings.append(string)
        }
        return strings
    }

    /// A list; empty when absent or null.
    func list(_ key: String) throws(StandInApplicationsError) -> [Any] {
        switch object[key] {
        case nil, is NSNull: return []
        case let items as [Any]: return items
        default: throw error(key, "is not a list")
        }
    }

    /// A required date in Graph's form, `2027-03-01T12:00:00Z` (fractions of a second and a `±hh:mm` offset
    /// allowed).
    func date(_ key: String) throws(StandInApplicationsError) -> Date {
        guard let text = try optional(key) else { throw error(key, "is missing") }
        guard let date = GraphDate.parse(text) else { throw error(key, "is not a date like 2027-03-01T12:00:00Z: \(text.prefix(40))") }
        return date
    }
}
