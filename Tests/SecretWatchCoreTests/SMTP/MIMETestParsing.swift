import Foundation

/// A small, strict reader of the messages secretwatch renders, for tests: headers (unfolded), and the parts of a
/// multipart body found by the boundary its Content-Type names.
struct ParsedMail {
    var headers: [(String, String)]
    var body: String

    init(_ data: Data) throws {
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no blank line after the headers") }
        headers = try Self.headers(String(text[..<split.lowerBound]))
        body = String(text[split.upperBound...])
    }

    private init(headers: [(String, String)], body: String) {
        self.headers = headers
        self.body = body
    }

    static func headers(_ block: String) throws -> [(String, String)] {
        var result: [(String, String)] = []
        for line in block.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                guard !result.isEmpty else { throw TestFailure("a folded line before any header") }
                result[result.count - 1].1 += line
            } else {
                guard let colon = line.firstIndex(of: ":") else { throw TestFailure("not a header line: \(line)") }
                result.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
        }
        return result
    }

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

    /// The `boundary` parameter of the Content-Type, unquoted.
    var boundary: String? {
        guard let type = header("Content-Type"), let range = type.range(of: "boundary=\"") else { return nil }
        let rest = type[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// The body parts between `--boundary` lines, up to the closing `--boundary--`.
    func parts() throws -> [ParsedMail] {
        guard let boundary else { throw TestFailure("no boundary in the Content-Type") }
        let lines = body.components(separatedBy: "\r\n")
        var parts: [[String]] = []
        var current: [String]?
        var closed = false
        for line in lines {
            if line == "--\(boundary)--" { if let current { parts.append(current) }; closed = true; break }
            if line == "--\(boundary)" {
                if let current { parts.append(current) }
                current = []
            } else {
                current?.append(line)
            }
        }
        guard closed else { throw TestFailure("no closing boundary") }
        return try parts.map { lines in
            guard let blank = lines.firstIndex(of: "") else { throw TestFailure("a part without a blank line") }
            return ParsedMail(headers: try Self.headers(lines[..<blank].joined(separator: "\r\n")),
                              body: lines[(blank + 1)...].joined(separator: "\r\n") + "\r\n")
        }
    }

    /// The body decoded from quoted-printable, CRLF line ends turned into LF.
    func decodedQuotedPrintable() throws -> String {
        var bytes: [UInt8] = []
        let input = Array(body.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "=") {
                guard i + 2 < input.count, let byte = UInt8(String(decoding: input[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) else {
                    throw TestFailure("a bad quoted-printable escape at \(i)")
                }
                bytes.append(byte)
                i += 3
            } else {
                bytes.append(input[i])
                i += 1
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw TestFailure("the decoded body is not UTF-8") }
        return text.replacingOccurrences(of: "\r\n", with: "\n")
    }
}
