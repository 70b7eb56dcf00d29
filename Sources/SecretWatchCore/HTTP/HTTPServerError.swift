/// Why the HTTP server could not start: a stable `reason` plus the detail (address, errno text).
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    private enum Kind: String, Sendable {
        case badAddress = "bad_address"
        case startFailed = "start_failed"
        case tokenFile = "token_file"
    }

    private let kind: Kind
    public let message: String

    public var reason: String { kind.rawValue }
    public var description: String { message }

    static func badAddress(_ host: String, _ detail: String) -> HTTPServerError {
        HTTPServerError(kind: .badAddress, message: "cannot listen on \"\(host)\": \(detail)")
    }

    static func startFailed(_ address: String, errno code: Int32, _ detail: String) -> HTTPServerError {
        HTTPServerError(kind: .startFailed, message: "cannot start the HTTP server on \(address): \(detail) (errno \(code)); is the port in use or the address not local?")
    }

    static func tokenFile(_ path: String, _ detail: String) -> HTTPServerError {
        HTTPServerError(kind: .tokenFile, message: "cannot read http.api_token_file \(path): \(detail)")
    }
}
