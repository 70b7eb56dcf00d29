internal import SecretWatchHTTPServer

/// An answer other than success, decided before or while serving a request: status, message and extra
/// headers (`Allow`, `WWW-Authenticate`).
struct APIError: Error, Sendable {
    let status: Int
    let message: String
    var code: String?
    var headers: [(name: String, value: String)] = []

    static func badRequest(_ message: String) -> APIError { APIError(status: 400, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: 404, message: message) }

    var response: HTTPResponse { .error(status, message, code: code, headers: headers) }
}

/// The API's answers are JSON. Error answers are `{"error": "…", "code": "…"}`: a message naming the problem and a
/// stable code for programs (docs/api.md lists them).
extension HTTPResponse {
    static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON answer; every answer goes through the `Redactor` as a last guard against a leaked secret.
    static func json<T: Encodable>(_ value: T, status: Int = 200, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        do {
            let text = try JSONOutput.string(value, pretty: false)
            return HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)] + headers,
                                body: .bytes(Array((Redactor.scrub(text) + "\n").utf8)))
        } catch {
            return .error(500, "cannot encode the answer")
        }
    }

    /// An error answer. `code` defaults to the one for the status (`defaultCode`).
    static func error(_ status: Int, _ message: String, code: String? = nil,
                      headers: [(name: String, value: String)] = []) -> HTTPResponse {
        let fields = ["error": Redactor.scrub(message), "code": code ?? defaultCode(status)]
        let text = (try? JSONOutput.string(fields, pretty: false)) ?? #"{"code":"internal_error","error":"internal error"}"#
        return HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)] + headers,
                            body: .bytes(Array((text + "\n").utf8)))
    }

    /// The error code of an answer that gives none: one per status.
    static func defaultCode(_ status: Int) -> String {
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
}
