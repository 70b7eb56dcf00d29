import FoundationEssentials

/// A request's query parameters, checked against the names a route accepts: unknown or repeated names and
/// unreadable values are 400 answers that name the parameter and say what was expected.
struct QueryParameters {
    private let values: [String: String]

    init(_ query: [(name: String, value: String)], allowed: [String]) throws(APIError) {
        var values: [String: String] = [:]
        for (name, value) in query {
            guard allowed.contains(name) else {
                let list = allowed.isEmpty ? "none" : allowed.joined(separator: ", ")
                throw .badRequest("unknown query parameter \"\(name)\" (accepted: \(list))")
            }
            guard values[name] == nil else { throw .badRequest("query parameter \"\(name)\" is given more than once") }
            values[name] = value
        }
        self.values = values
    }

    func string(_ name: String) throws(APIError) -> String? {
        guard let value = values[name] else { return nil }
        guard !value.isEmpty else { throw .badRequest("query parameter \"\(name)\" is empty") }
        return value
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = try string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badRequest("query parameter \"\(name)\" must be an integer from \(range.lowerBound) to \(range.upperBound); got \"\(text)\"")
        }
        return value
    }

    func date(_ name: String) throws(APIError) -> Date? {
        guard let text = try string(name) else { return nil }
        guard let date = Timestamps.parse(text) else {
            throw .badRequest("query parameter \"\(name)\" must be an RFC 3339 time such as 2027-03-01T12:00:00Z; got \"\(text)\"")
        }
        return date
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws(APIError) -> T? where T.RawValue == String {
        guard let text = try string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            let names = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .badRequest("query parameter \"\(name)\" must be one of \(names); got \"\(text)\"")
        }
        return value
    }

    /// A page cursor: the id of the last item of the previous page.
    func cursor() throws(APIError) -> Int64? {
        guard let text = try string("cursor") else { return nil }
        guard let value = RecordID.parse(text) else {
            throw .badRequest("query parameter \"cursor\" must be the next_cursor of a previous page (a positive integer); got \"\(text)\"")
        }
        return value
    }
}

extension QueryParameters {
    /// For routes that take no parameters: the initialiser already refused every name; this reads better.
    func ensureEmpty() throws(APIError) {}
}
