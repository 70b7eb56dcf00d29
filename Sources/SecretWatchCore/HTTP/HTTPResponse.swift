import Foundation

/// One answer: status, headers and body. Error answers are JSON `{"error": "…"}` naming the problem.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// The prepared `/metrics` exposition, sent from its own memory without a copy.
        case metrics(MetricsPayload, gzip: Bool)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON answer; every answer goes through the `Redactor` as a last guard against a leaked secret.
    public static func json<T: Encodable>(_ value: T, status: Int = 200, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        do {
            let text = try JSONOutput.string(value, pretty: false)
            return HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)] + headers,
                                body: .bytes(Array((Redactor.scrub(text) + "\n").utf8)))
        } catch {
            return .error(500, "cannot encode the answer: \(error)")
        }
    }

    public static func error(_ status: Int, _ message: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        let text = (try? JSONOutput.string(["error": Redactor.scrub(message)], pretty: false)) ?? #"{"error":"internal error"}"#
        return HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)] + headers,
                            body: .bytes(Array((text + "\n").utf8)))
    }

    public var bodyByteCount: Int {
        switch body {
        case .bytes(let bytes): bytes.count
        case .metrics(let payload, let gzip): payload.length(gzip: gzip)
        }
    }
}
