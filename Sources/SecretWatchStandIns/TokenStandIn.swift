import Foundation
import Synchronization

/// A stand-in for the Entra token endpoint (`POST /{tenant}/oauth2/v2.0/token`) over HTTPS on 127.0.0.1,
/// for tests and the demo. Answers by behaviour: queued one-shot behaviours first, then the behaviour set for the
/// request's path, then the default. Counts and keeps every request. Clearly not Microsoft: the server
/// certificate names "secretwatch stand-in (test only)". The same server answers Microsoft Graph's
/// `GET /v1.0/applications` (`graph`), for tokens it issued for the Graph scope.
public final class TokenStandIn: Sendable {
    private let server: StandInServer
    private let shared: Shared
    /// Every access token this stand-in handed out (the Exchange stand-in's default token check).
    public let issuedTokens: IssuedTokens
    /// The Microsoft Graph endpoint on the same server.
    public let graph: GraphStandIn
    /// The certificates registered for the app: a request with a `client_assertion` gets a token (under
    /// `success` and `requireSecret`) only when the assertion verifies against one of them.
    public let assertions: ClientAssertionVerifier

    /// The state the connection threads and the test share.
    private final class Shared: Sendable {
        let lock: Mutex<State>
        init(_ state: State) { lock = Mutex(state) }
    }

    private struct State {
        var fallback: TokenStandInBehaviour
        var byPath: [String: TokenStandInBehaviour] = [:]
        var queue: [TokenStandInBehaviour] = []
        var requests: [HTTPRequest] = []
        var traceIds: [String] = []
    }

    /// - Parameter keepAlive: answer many requests per connection (HTTP/1.1 persistent connections) instead of
    ///   closing after each answer.
    /// - Parameter port: a fixed port on 127.0.0.1 (0: one the kernel picks).
    /// - Parameter issuedTokens: where successful answers record their token (shared with an Exchange stand-in).
    public init(identity: ThrowawayPKI.Identity, behaviour: TokenStandInBehaviour,
                minimumTLS: TLSVersion? = nil, maximumTLS: TLSVersion? = nil, keepAlive: Bool = false,
                port: Int = 0, issuedTokens: IssuedTokens = IssuedTokens(),
                assertions: ClientAssertionVerifier = ClientAssertionVerifier()) throws {
        let context = try TLSServerContext(identity: identity, minimum: minimumTLS, maximum: maximumTLS)
        let shared = Shared(State(fallback: behaviour))
        self.shared = shared
        self.issuedTokens = issuedTokens
        let graph = GraphStandIn(issuedTokens: issuedTokens)
        self.graph = graph
        self.assertions = assertions
        server = try StandInServer(tls: context, port: port) { connection in
            repeat {
                guard try Self.serve(connection, shared: shared, keepAlive: keepAlive, issued: issuedTokens, graph: graph,
                                     assertions: assertions) else { return }
            } while keepAlive
        }
    }

    deinit { stop() }

    public var port: Int { server.port }

    /// `https://127.0.0.1:PORT/{tenant}/oauth2/v2.0/token` (the `{tenant}` placeholder as in the configuration).
    public var tokenEndpointTemplate: String { "https://127.0.0.1:\(port)/{tenant}/oauth2/v2.0/token" }

    public func tokenEndpoint(tenant: String) -> String { "https://127.0.0.1:\(port)/\(tenant)/oauth2/v2.0/token" }

    /// The behaviour for every request without a more specific one.
    public func setBehaviour(_ behaviour: TokenStandInBehaviour) { shared.lock.withLock { $0.fallback = behaviour } }

    /// The behaviour for requests to exactly this path (e.g. `/<tenant>/oauth2/v2.0/token`).
    public func setBehaviour(_ behaviour: TokenStandInBehaviour, forPath path: String) {
        shared.lock.withLock { $0.byPath[path] = behaviour }
    }

    /// Behaviours for the next requests, one each, in order.
    public func enqueue(_ behaviours: TokenStandInBehaviour...) { shared.lock.withLock { $0.queue += behaviours } }

    /// Requests received so far (complete ones; a client that left mid-request is not one).
    public var requestCount: Int { shared.lock.withLock { $0.requests.count } }
    public var requests: [HTTPRequest] { shared.lock.withLock { $0.requests } }
    /// The trace ids of the error answers sent, in order (tests check that they were stored).
    public var traceIds: [String] { shared.lock.withLock { $0.traceIds } }
    /// TCP connections accepted (a failed TLS handshake is a connection without a request).
    public var connectionCount: Int { server.connectionCount }
    public var handshakeFailures: [String] { server.handshakeFailures }

    public func stop() { server.stop() }

    /// Answers one request; false when the connection must end (the client closed, or the behaviour closes).
    private static func serve(_ connection: StandInConnection, shared: Shared, keepAlive: Bool,
                              issued: IssuedTokens, graph: GraphStandIn, assertions: ClientAssertionVerifier) throws -> Bool {
        guard let request = try HTTPRequest.read(from: connection) else { return false }
        if GraphStandIn.handles(request) { return try graph.serve(request, on: connection, keepAlive: keepAlive) }
        let behaviour = shared.lock.withLock { s -> TokenStandInBehaviour in
            s.requests.append(request)
            if !s.queue.isEmpty { return s.queue.removeFirst() }
            return s.byPath[request.path] ?? s.fallback
        }
        let traceId = UUID().uuidString.lowercased()
        if case .entraError = behaviour { shared.lock.withLock { $0.traceIds.append(traceId) } }
        if case .throttled = behaviour { shared.lock.withLock { $0.traceIds.append(traceId) } }
        try answer(behaviour, to: request, on: connection, traceId: traceId, keepAlive: keepAlive, issued: issued,
                   assertions: assertions)
        if case .closeWithoutResponse = behaviour { return false }
        return true
    }
}

extension TokenStandIn {
    /// Writes the answer a behaviour describes.
    static func answer(_ behaviour: TokenStandInBehaviour, to request: HTTPRequest, on connection: StandInConnection,
                       traceId: String, keepAlive: Bool = false, issued: IssuedTokens? = nil,
                       assertions: ClientAssertionVerifier? = nil) throws {
        let extra = keepAlive ? [] : ["Connection: close"]
        var behaviour = behaviour
        // A certificate credential: the assertion is verified for real, whatever secret the behaviour expects.
        if let assertions, request.form["client_assertion"] != nil, request.form["client_secret"] == nil {
            switch behaviour {
            case .success(let base, let expiresIn), .requireSecret(_, let base, let expiresIn):
                let audience = "https://\(request.headers["host"] ?? "127.0.0.1")\(request.path)"
                behaviour = assertions.verify(form: request.form, audience: audience).map { .entraError($0) }
                    ?? .success(accessToken: base, expiresIn: expiresIn)
            default: break
            }
        }
        switch behaviour {
        case .success(let base, let expiresIn):
            let scope = request.form["scope"]
            let token = scopedToken(base, scope: scope)
            issued?.record(token, expiresIn: expiresIn, scope: scope)
            try respond(connection, 200, json: successJSON(token: token, expiresIn: expiresIn), extraHeaders: extra)
        case .requireSecret(let secret, let base, let expiresIn):
            if request.form["client_secret"] == secret {
                let scope = request.form["scope"]
                let token = scopedToken(base, scope: scope)
                issued?.record(token, expiresIn: expiresIn, scope: scope)
                try respond(connection, 200, json: successJSON(token: token, expiresIn: expiresIn), extraHeaders: extra)
            } else {
                try answer(.entraError(.invalidClientSecret), to: request, on: connection, traceId: traceId, keepAlive: keepAlive)
            }
        case .entraError(let error):
            try respond(connection, error.status, json: error.json(client: request.form["client_id"] ?? "", tenant: tenant(of: request),
                                                                    traceId: traceId, correlationId: UUID().uuidString.lowercased(), at: Date()),
                        extraHeaders: extra)
        case .throttled(let seconds):
            let throttle = EntraError(status: 429, error: "temporarily_unavailable", code: 50196,
                                      text: "The server encountered a client request loop. Please try again later.")
            try respond(connection, 429, json: throttle.json(client: request.form["client_id"] ?? "", tenant: tenant(of: request),
                                                             traceId: traceId, correlationId: UUID().uuidString.lowercased(), at: Date()),
                        extraHeaders: ["Retry-After: \(seconds)"] + extra)
        case .raw(let status, let contentType, let body):
            try respond(connection, status, contentType: contentType, body: Data(body.utf8), extraHeaders: extra)
        case .captivePortal(let echo):
            let quoted = echo ? "<pre>\(String(decoding: request.body, as: UTF8.self))</pre>" : ""
            let page = "<!DOCTYPE html><html><head><title>Network login</title></head><body><h1>Welcome to Guest Wi-Fi</h1><p>Please accept the terms of use.</p>\(quoted)</body></html>"
            try respond(connection, 200, contentType: "text/html; charset=utf-8", body: Data(page.utf8), extraHeaders: extra)
        case .slowDrip(let interval):
            try connection.write(head(200, contentType: "application/json", length: 1 << 20, extra: ["Connection: close"]))
            while true {
                try connection.write(" ")
                Thread.sleep(forTimeInterval: interval)
            }
        case .hugeBody(let bytes):
            try connection.write(head(200, contentType: "application/json", length: bytes, extra: ["Connection: close"]))
            let chunk = Data(repeating: 0x20, count: 64 * 1024)
            var sent = 0
            while sent < bytes {
                let n = min(chunk.count, bytes - sent)
                try connection.write(chunk.prefix(n))
                sent += n
            }
        case .closeWithoutResponse:
            return
        }
    }

    /// The token handed out for `scope`: the configured one, except for the Graph scope, which gets a token of
    /// its own (`<token>.graph`) so that a token for one resource is never accepted by the other.
    static func scopedToken(_ base: String, scope: String?) -> String {
        scope == GraphStandIn.scope ? base + ".graph" : base
    }

    static func successJSON(token: String, expiresIn: Int) -> String {
        #"{"token_type":"Bearer","expires_in":\#(expiresIn),"ext_expires_in":\#(expiresIn),"access_token":"\#(token)"}"#
    }

    /// The first path segment: `/{tenant}/oauth2/v2.0/token`.
    static func tenant(of request: HTTPRequest) -> String {
        request.path.split(separator: "/").first.map(String.init) ?? ""
    }

    static func respond(_ connection: StandInConnection, _ status: Int, json: String, extraHeaders: [String] = []) throws {
        try respond(connection, status, contentType: "application/json; charset=utf-8", body: Data(json.utf8), extraHeaders: extraHeaders)
    }

    static func respond(_ connection: StandInConnection, _ status: Int, contentType: String, body: Data,
                        extraHeaders: [String] = []) throws {
        var data = Data(head(status, contentType: contentType, length: body.count, extra: extraHeaders).utf8)
        data.append(body)
        try connection.write(data)
    }

    static func head(_ status: Int, contentType: String, length: Int, extra: [String]) -> String {
        var lines = ["HTTP/1.1 \(status) \(reasonPhrase(status))", "Content-Type: \(contentType)", "Content-Length: \(length)",
                     "Cache-Control: no-store, no-cache", "X-Stand-In: secretwatch (not Microsoft)"]
        lines += extra
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 407: "Proxy Authentication Required"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

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
