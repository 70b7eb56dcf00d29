import Foundation
import Synchronization

/// A stand-in for the Entra token endpoint (`POST /{tenant}/oauth2/v2.0/token`) over HTTPS on 127.0.0.1,
/// for tests and the demo. Answers by behaviour: queued one-shot behaviours first, then the behaviour set for the
/// request's path, then the default. Counts and keeps every request. Clearly not Microsoft: the server
/// certificate names "secretwatch stand-in (test only)".
public final class TokenStandIn: Sendable {
    private let server: StandInServer
    private let shared: Shared
    /// Every access token this stand-in handed out (the Exchange stand-in's default token check).
    public let issuedTokens: IssuedTokens

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
                port: Int = 0, issuedTokens: IssuedTokens = IssuedTokens()) throws {
        let context = try TLSServerContext(identity: identity, minimum: minimumTLS, maximum: maximumTLS)
        let shared = Shared(State(fallback: behaviour))
        self.shared = shared
        self.issuedTokens = issuedTokens
        server = try StandInServer(tls: context, port: port) { connection in
            repeat {
                guard try Self.serve(connection, shared: shared, keepAlive: keepAlive, issued: issuedTokens) else { return }
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
                              issued: IssuedTokens) throws -> Bool {
        guard let request = try HTTPRequest.read(from: connection) else { return false }
        let behaviour = shared.lock.withLock { s -> TokenStandInBehaviour in
            s.requests.append(request)
            if !s.queue.isEmpty { return s.queue.removeFirst() }
            return s.byPath[request.path] ?? s.fallback
        }
        let traceId = UUID().uuidString.lowercased()
        if case .entraError = behaviour { shared.lock.withLock { $0.traceIds.append(traceId) } }
        if case .throttled = behaviour { shared.lock.withLock { $0.traceIds.append(traceId) } }
        try answer(behaviour, to: request, on: connection, traceId: traceId, keepAlive: keepAlive, issued: issued)
        if case .closeWithoutResponse = behaviour { return false }
        return true
    }
}
