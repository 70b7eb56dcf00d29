import Foundation
import Synchronization

/// A stand-in for Microsoft Graph's `GET /v1.0/applications` and `GET /v1.0/servicePrincipals` (each from a list
/// of its own), served by the token stand-in's HTTPS server.
/// Requires a bearer token that server issued for the Graph scope (any other token: 401 `InvalidAuthenticationToken`
/// in Graph's error shape). Honours `$select` (unknown properties refused) and `$top` (1–999, default 100) and
/// pages with an absolute `@odata.nextLink` carrying `$skiptoken`, back to the host the client asked. Answers by
/// behaviour: queued one-shot behaviours first (one per authorised request), then the default.
public final class GraphStandIn: Sendable {
    /// The scope a token must have been issued for.
    public static let scope = "https://graph.microsoft.com/.default"
    public static let maximumPageSize = 999
    public static let defaultPageSize = 100
    /// The most apps `generated` lists through the control endpoint and the command line (the benchmark's 10,000 fit).
    public static let maximumApplications = 100_000
    static let contentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

    private let issuedTokens: IssuedTokens
    private let state: Mutex<State>

    private struct State {
        var applications: [StandInApplication] = StandInApplication.generated(count: 3)
        var servicePrincipals: [StandInApplication] = []
        var fallback: GraphStandInBehaviour = .normal
        var queue: [GraphStandInBehaviour] = []
        var requests: [HTTPRequest] = []
    }

    init(issuedTokens: IssuedTokens) {
        self.issuedTokens = issuedTokens
        state = Mutex(State())
    }

    /// The apps listed (three generated ones until set).
    public func setApplications(_ applications: [StandInApplication]) { state.withLock { $0.applications = applications } }
    public var applications: [StandInApplication] { state.withLock { $0.applications } }

    /// The service principals listed (none until set); the same shape as applications.
    public func setServicePrincipals(_ servicePrincipals: [StandInApplication]) { state.withLock { $0.servicePrincipals = servicePrincipals } }
    public var servicePrincipals: [StandInApplication] { state.withLock { $0.servicePrincipals } }

    /// The collections served, by path.
    static let collections = ["/v1.0/applications": "application", "/v1.0/servicePrincipals": "servicePrincipal"]

    /// The behaviour of every authorised request without a queued one.
    public func setBehaviour(_ behaviour: GraphStandInBehaviour) { state.withLock { $0.fallback = behaviour } }

    /// Behaviours for the next authorised requests, one each, in order.
    public func enqueue(_ behaviours: GraphStandInBehaviour...) { state.withLock { $0.queue += behaviours } }

    /// Graph requests received so far (authorised or not).
    public var requests: [HTTPRequest] { state.withLock { $0.requests } }
    public var requestCount: Int { state.withLock { $0.requests.count } }

    /// Whether a request is for Graph rather than the token endpoint.
    static func handles(_ request: HTTPRequest) -> Bool { request.path.hasPrefix("/v1.0/") }

    /// Answers one request; false when the connection must end.
    func serve(_ request: HTTPRequest, on connection: StandInConnection, keepAlive: Bool) throws -> Bool {
        state.withLock { $0.requests.append(request) }
        let clientRequestId = request.headers["client-request-id"] ?? UUID().uuidString.lowercased()
        var extra = ["request-id: \(UUID().uuidString.lowercased())", "client-request-id: \(clientRequestId)"]
        if !keepAlive { extra.append("Connection: close") }
        func fail(_ error: GraphError, headers: [String] = []) throws -> Bool {
            let requestId = extra[0].dropFirst("request-id: ".count)
            try TokenStandIn.respond(connection, error.status, contentType: Self.contentType,
                                     body: Data(error.json(requestId: String(requestId), clientRequestId: clientRequestId, at: Date()).utf8),
                                     extraHeaders: headers + extra)
            return true
        }
        let query = GraphQuery(target: request.path)
        guard request.method == "GET", let type = Self.collections[query.path] else { return try fail(.notFound(query.path)) }
        let authorization = request.headers["authorization"] ?? ""
        guard authorization.hasPrefix("Bearer "), authorization.count > "Bearer ".count else { return try fail(.emptyToken, headers: Self.challenge) }
        guard issuedTokens.isValid(String(authorization.dropFirst("Bearer ".count)), forScope: Self.scope) else {
            return try fail(.invalidAudience, headers: Self.challenge)
        }
        let (behaviour, applications) = state.withLock { s in
            (s.queue.isEmpty ? s.fallback : s.queue.removeFirst(), type == "application" ? s.applications : s.servicePrincipals)
        }
        switch behaviour {
        case .normal, .pagingLoop, .endlessPaging, .foreignNextLink:
            let host = request.headers["host"] ?? "127.0.0.1"
            switch query.page(of: applications, type: type, behaviour: behaviour, base: "https://\(host)") {
            case .success(let json):
                try TokenStandIn.respond(connection, 200, contentType: Self.contentType, body: json, extraHeaders: extra)
            case .failure(let error):
                return try fail(error)
            }
        case .permissionDenied:
            return try fail(.permissionDenied)
        case .throttled(let seconds):
            return try fail(.throttled, headers: ["Retry-After: \(seconds)"])
        case .unavailable(let seconds):
            return try fail(.unavailable, headers: seconds.map { ["Retry-After: \($0)"] } ?? [])
        case .malformed:
            let cut = #"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#"# + type + #"s","value":[{"id":"0000"#
            try TokenStandIn.respond(connection, 200, contentType: Self.contentType, body: Data(cut.utf8), extraHeaders: extra)
        case .hugeBody(let bytes):
            try TokenStandIn.answer(.hugeBody(bytes: bytes), to: request, on: connection, traceId: "")
            return false
        case .echoRequest:
            let headers = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
            let page = "<html><body><h1>Request blocked by policy</h1><pre>GET \(request.path)\n\(headers)</pre></body></html>"
            try TokenStandIn.respond(connection, 400, contentType: "text/html", body: Data(page.utf8), extraHeaders: extra)
        }
        return true
    }

    static let challenge = [#"WWW-Authenticate: Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#]
}

/// The query of a `GET /v1.0/applications` (or `servicePrincipals`) request: `$select`, `$top`, `$skiptoken` (percent-decoded).
struct GraphQuery {
    var path: String
    var parameters: [String: String] = [:]

    init(target: String) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        guard parts.count > 1 else { return }
        for pair in parts[1].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
            parameters[key] = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
        }
    }

    /// The page's JSON, or the error Graph answers to a bad query. The skip token is `<offset>.<page number>` in
    /// base64url: opaque to clients, as Graph's is.
    /// - Parameter type: Graph's entity type (`application`, `servicePrincipal`).
    func page(of apps: [StandInApplication], type: String, behaviour: GraphStandInBehaviour, base: String) -> Result<Data, GraphError> {
        var top = GraphStandIn.defaultPageSize
        if let text = parameters["$top"] {
            guard let n = Int(text), (1...GraphStandIn.maximumPageSize).contains(n) else { return .failure(.badPageSize(text)) }
            top = n
        }
        var select: [String]?
        if let text = parameters["$select"] {
            let names = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            if let unknown = names.first(where: { !StandInApplication.properties.contains($0) }) {
                return .failure(.unknownProperty(unknown, type: type))
            }
            select = names
        }
        var offset = 0, number = 0
        if let token = parameters["$skiptoken"] {
            guard let decoded = Self.decode(token) else { return .failure(.badSkipToken) }
            (offset, number) = decoded
        }
        let start = min(offset, apps.count)
        let end = min(start + top, apps.count)
        var object: [String: Any] = [
            "@odata.context": "\(base)/v1.0/$metadata#\(type)s" + (select.map { "(\($0.joined(separator: ",")))" } ?? ""),
            "value": apps[start..<end].map { $0.json(select: select) },
        ]
        var nextOffset: Int?
        var nextBase = base
        switch behaviour {
        case .pagingLoop: object["@odata.nextLink"] = base + Self.encodeTarget(path, parameters)
        case .endlessPaging: nextOffset = apps.isEmpty ? 0 : end % apps.count
        case .foreignNextLink(let origin):
            nextOffset = end < apps.count ? end : 0
            nextBase = origin
        default: if end < apps.count { nextOffset = end }
        }
        if let nextOffset {
            var next = parameters
            next["$skiptoken"] = Self.encode(offset: nextOffset, number: number + 1)
            object["@odata.nextLink"] = nextBase + Self.encodeTarget(path, next)
        }
        return .success(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// `/v1.0/applications?$select=…&$skiptoken=…&$top=…` with values percent-encoded where a URL needs it.
    static func encodeTarget(_ path: String, _ parameters: [String: String]) -> String {
        guard !parameters.isEmpty else { return path }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        return path + "?" + parameters.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)" }.joined(separator: "&")
    }

    static func encode(offset: Int, number: Int) -> String {
        Data("\(offset).\(number)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    static func decode(_ token: String) -> (Int, Int)? {
        var text = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: ".")
        guard parts.count == 2, let offset = Int(parts[0]), let number = Int(parts[1]), offset >= 0 else { return nil }
        return (offset, number)
    }
}
