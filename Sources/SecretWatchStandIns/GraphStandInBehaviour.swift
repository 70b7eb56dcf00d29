import Foundation

/// How the Graph stand-in answers one authorised `GET /v1.0/applications` (or `/v1.0/servicePrincipals`).
public enum GraphStandInBehaviour: Sendable, Equatable {
    /// The page asked for (`$top`, `$select`, `$skiptoken`) with an `@odata.nextLink` while more apps follow.
    case normal
    /// 403 `Authorization_RequestDenied`: the app lacks `Application.Read.All`.
    case permissionDenied
    /// 429 `TooManyRequests` with `Retry-After: seconds`.
    case throttled(retryAfterSeconds: Int)
    /// 503 `serviceNotAvailable`, with `Retry-After` when given.
    case unavailable(retryAfterSeconds: Int?)
    /// 200 `application/json` whose body is cut off in the middle of an application.
    case malformed
    /// A normal page whose `@odata.nextLink` is the URL just asked for: the same page, forever.
    case pagingLoop
    /// Pages whose `@odata.nextLink` is always a new one: paging never ends.
    case endlessPaging
    /// A 200 JSON answer of `bytes` bytes.
    case hugeBody(bytes: Int)
    /// 400 `text/html`: an intercepting proxy's page quoting the request headers (the bearer token among them).
    case echoRequest
    /// A normal page whose `@odata.nextLink` always leads to `origin` (scheme, host and port, e.g.
    /// `https://evil.example:443`) instead of the host asked: a rewritten answer that would take the bearer token
    /// elsewhere.
    case foreignNextLink(origin: String)
}

extension GraphStandInBehaviour {
    /// The names `secretwatch-standins` and its control interface accept for Graph behaviours.
    public static let names = ["normal", "permission_denied", "throttled", "unavailable", "malformed", "paging_loop",
                               "endless_paging", "huge", "echo_request", "foreign_next_link"]

    /// Where `foreign_next_link` leads when no origin is given.
    public static let foreignOrigin = "https://evil.example:443"

    /// The behaviour a name stands for; nil for an unknown name.
    /// - Parameter retryAfter: the `Retry-After` seconds of `throttled` and `unavailable`.
    public static func named(_ name: String, retryAfter: Int = 5) -> GraphStandInBehaviour? {
        switch name {
        case "normal": .normal
        case "permission_denied": .permissionDenied
        case "throttled": .throttled(retryAfterSeconds: retryAfter)
        case "unavailable": .unavailable(retryAfterSeconds: retryAfter)
        case "malformed": .malformed
        case "paging_loop": .pagingLoop
        case "endless_paging": .endlessPaging
        case "huge": .hugeBody(bytes: 64 << 20)
        case "echo_request": .echoRequest
        case "foreign_next_link": .foreignNextLink(origin: foreignOrigin)
        default: nil
        }
    }
}

/// Microsoft Graph's error body: `{"error":{"code","message","innerError":{"date","request-id",
/// "client-request-id"}}}`.
public struct GraphError: Error, Sendable, Equatable {
    public var status: Int
    public var code: String
    public var message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public static let permissionDenied = GraphError(status: 403, code: "Authorization_RequestDenied",
                                                    message: "Insufficient privileges to complete the operation.")
    public static let emptyToken = GraphError(status: 401, code: "InvalidAuthenticationToken", message: "Access token is empty.")
    public static let invalidAudience = GraphError(status: 401, code: "InvalidAuthenticationToken",
                                                   message: "Access token validation failure. Invalid audience.")
    public static let throttled = GraphError(status: 429, code: "TooManyRequests",
                                             message: "Too many requests (secretwatch stand-in, not Microsoft).")
    public static let unavailable = GraphError(status: 503, code: "serviceNotAvailable",
                                               message: "Service unavailable (secretwatch stand-in, not Microsoft).")

    public static func notFound(_ path: String) -> GraphError {
        GraphError(status: 404, code: "Request_ResourceNotFound", message: "Resource '\(path)' does not exist (secretwatch stand-in, not Microsoft).")
    }

    public static func badPageSize(_ top: String) -> GraphError {
        GraphError(status: 400, code: "Request_UnsupportedQuery",
                   message: "Invalid page size specified: '\(top)'. Must be between 1 and \(GraphStandIn.maximumPageSize) inclusive.")
    }

    public static func unknownProperty(_ name: String, type: String = "application") -> GraphError {
        GraphError(status: 400, code: "Request_BadRequest",
                   message: "Could not find a property named '\(name)' on type 'microsoft.graph.\(type)'.")
    }

    public static let badSkipToken = GraphError(status: 400, code: "Request_BadRequest", message: "Invalid skip token.")

    /// The JSON body, as Graph sends it.
    public func json(requestId: String, clientRequestId: String, at date: Date) -> String {
        let object: [String: Any] = ["error": [
            "code": code, "message": message,
            "innerError": ["date": GraphDate.string(date).replacingOccurrences(of: #"\.\d{3}Z"#, with: "Z", options: .regularExpression),
                           "request-id": requestId, "client-request-id": clientRequestId],
        ]]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
