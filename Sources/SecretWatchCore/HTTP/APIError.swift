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
