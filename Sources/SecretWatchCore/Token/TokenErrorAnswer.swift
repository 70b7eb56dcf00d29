import Foundation

/// Microsoft's error JSON: `{error, error_description, error_codes:[n], timestamp, trace_id, correlation_id}`.
struct TokenErrorAnswer: Sendable, Equatable {
    var error: String
    /// `AADSTSnnnn: text\r\nTrace ID: …` as sent.
    var description: String?
    var aadstsCode: Int?
    var traceId: String?
    var correlationId: String?

    /// nil when the body is not Microsoft's error JSON (an HTML page, say).
    static func parse(_ body: Data) -> TokenErrorAnswer? {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let error = object["error"] as? String else { return nil }
        let description = object["error_description"] as? String
        var code = (object["error_codes"] as? [Any])?.first.flatMap { ($0 as? Int) ?? Int("\($0)") }
        if code == nil, let description { code = Self.code(in: description) }
        return TokenErrorAnswer(error: error, description: description, aadstsCode: code,
                                traceId: object["trace_id"] as? String, correlationId: object["correlation_id"] as? String)
    }

    /// The first line of the description without its `AADSTSnnnn: ` prefix (the part worth showing).
    var summary: String {
        guard let description else { return error }
        let first = description.split(whereSeparator: \.isNewline).first.map(String.init) ?? description
        if let colon = first.range(of: ": "), first.hasPrefix("AADSTS") { return String(first[colon.upperBound...]) }
        return first
    }

    /// `AADSTS7000215: …` → 7000215.
    static func code(in text: String) -> Int? {
        guard let range = text.range(of: "AADSTS") else { return nil }
        return Int(text[range.upperBound...].prefix(while: { $0.isASCII && $0.isNumber }))
    }
}
