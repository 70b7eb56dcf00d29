import Foundation

/// An HTTP proxy stand-in that refuses every request and CONNECT with `407 Proxy Authentication Required`
/// (a proxy whose credentials are missing or wrong).
public final class ProxyStandIn: Sendable {
    private let server: StandInServer

    public init() throws {
        server = try StandInServer { connection in
            guard try HTTPRequest.read(from: connection) != nil else { return }
            try connection.write(TokenStandIn.head(407, contentType: "text/plain", length: 0,
                                                   extra: ["Proxy-Authenticate: Basic realm=\"stand-in proxy\"", "Connection: close"]))
        }
    }

    deinit { stop() }

    public var port: Int { server.port }
    public var url: String { "http://127.0.0.1:\(port)" }
    public var connectionCount: Int { server.connectionCount }

    public func stop() { server.stop() }
}
