import Foundation

/// An HTTP/1.1 request as a stand-in received it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    /// The body as `application/x-www-form-urlencoded` fields (`+` is a space, `%XX` decoded).
    public var form: [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    /// Reads one request (head and `Content-Length` body); nil when the client closed before sending one.
    /// Answers `Expect: 100-continue` so that clients do not wait.
    static func read(from connection: StandInConnection) throws -> HTTPRequest? {
        guard let requestLine = try connection.readLine(), !requestLine.isEmpty else { return nil }
        let parts = requestLine.split(separator: " ")
        guard parts.count == 3 else { throw StandInError("bad request line \"\(requestLine)\"") }
        var headers: [String: String] = [:]
        while let line = try connection.readLine(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw StandInError("bad header line \"\(line)\"") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            try connection.write("HTTP/1.1 100 Continue\r\n\r\n")
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard length <= 1 << 20 else { throw StandInError("request body of \(length) bytes refused") }
        let body = try connection.read(count: length)
        return HTTPRequest(method: String(parts[0]), path: String(parts[1]), headers: headers, body: body)
    }
}
