import Foundation

/// One answer: status, headers and body. Error answers are JSON `{"error": "…", "code": "…"}`: a message naming
/// the problem and a stable code for programs (docs/api.md lists them).
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
            return .error(500, "cannot encode the answer")
        }
    }

    /// An error answer. `code` defaults to the one for the status (`defaultCode`).
    public static func error(_ status: Int, _ message: String, code: String? = nil,
                             headers: [(name: String, value: String)] = []) -> HTTPResponse {
        let fields = ["error": Redactor.scrub(message), "code": code ?? defaultCode(status)]
        let text = (try? JSONOutput.string(fields, pretty: false)) ?? #"{"code":"internal_error","error":"internal error"}"#
        return HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)] + headers,
                            body: .bytes(Array((text + "\n").utf8)))
    }

    /// The error code of an answer that gives none: one per status.
    public static func defaultCode(_ status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 409: "conflict"
        case 413: "body_too_large"
        case 503: "unavailable"
        default: "internal_error"
        }
    }

    public var bodyByteCount: Int {
        switch body {
        case .bytes(let bytes): bytes.count
        case .metrics(let payload, let gzip): payload.length(gzip: gzip)
        }
    }
}
