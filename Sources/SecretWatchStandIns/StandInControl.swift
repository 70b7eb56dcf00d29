import Foundation

/// A small plain-HTTP control interface on 127.0.0.1 that changes what a running token stand-in and Exchange
/// stand-in do, for end-to-end tests and the demo (`docs/stand-ins.md`). Requests carry a JSON object; every
/// answer is JSON. Loopback only, no authentication: it controls throwaway stand-ins, nothing else.
///
/// - `GET /status`: counters of both stand-ins.
/// - `POST /exchange/behaviour` `{"behaviour": NAME, "mailbox": ADDR?, "once": BOOL?}`
/// - `POST /exchange/down`, `POST /exchange/up`
/// - `POST /exchange/unknown-recipients` `{"addresses": [ADDR, …]}`
/// - `POST /exchange/accept-delay` `{"milliseconds": N}`
/// - `POST /token/behaviour` `{"behaviour": NAME, "tenant": ID?, "once": BOOL?, "retry_after": SECONDS?}`
/// - `POST /graph/behaviour` `{"behaviour": NAME, "once": BOOL?, "retry_after": SECONDS?}`
/// - `POST /graph/applications` `{"count": N}` (generated apps), or a JSON list of apps in Graph's shape (or a
///   Graph answer, `{"value": [...]}`)
/// - `POST /graph/service-principals`: the same, for `/v1.0/servicePrincipals`
public final class StandInControl: Sendable {
    private let server: StandInServer

    /// - Parameter tokenSuccess: what the token behaviour `success` restores (the stand-in's normal answer).
    public init(token: TokenStandIn, tokenSuccess: TokenStandInBehaviour, exchange: ExchangeStandIn, port: Int = 0) throws {
        server = try StandInServer(port: port) { connection in
            guard let request = try HTTPRequest.read(from: connection) else { return }
            let (status, object) = Self.handle(request, token: token, tokenSuccess: tokenSuccess, exchange: exchange)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            try TokenStandIn.respond(connection, status, contentType: "application/json", body: data + Data("\n".utf8),
                                     extraHeaders: ["Connection: close"])
        }
    }

    deinit { stop() }

    public var port: Int { server.port }
    public var url: String { "http://127.0.0.1:\(port)" }

    public func stop() { server.stop() }

    static func handle(_ request: HTTPRequest, token: TokenStandIn, tokenSuccess: TokenStandInBehaviour,
                       exchange: ExchangeStandIn) -> (Int, [String: Any]) {
        let body: [String: Any]
        var list: [Any]?
        let parsed = request.body.isEmpty ? [String: Any]() : try? JSONSerialization.jsonObject(with: request.body)
        if let object = parsed as? [String: Any] {
            body = object
        } else if let array = parsed as? [Any], request.path.hasPrefix("/graph/") {
            (body, list) = ([:], array)
        } else {
            return (400, ["error": request.path.hasPrefix("/graph/") ? "the body must be JSON" : "the body must be a JSON object"])
        }
        do {
            switch (request.method, request.path) {
            case ("GET", "/status"):
                return (200, status(token: token, exchange: exchange))
            case ("POST", "/exchange/behaviour"):
                let name = body["behaviour"] as? String ?? ""
                guard let behaviour = ExchangeStandInBehaviour(rawValue: name) else {
                    return (400, ["error": "unknown Exchange behaviour \"\(name)\"",
                                  "behaviours": ExchangeStandInBehaviour.allCases.map(\.rawValue)])
                }
                if body["once"] as? Bool == true {
                    exchange.enqueue(behaviour)
                } else if let mailbox = body["mailbox"] as? String {
                    exchange.setBehaviour(behaviour, forMailbox: mailbox)
                } else {
                    exchange.setBehaviour(behaviour)
                }
            case ("POST", "/exchange/down"):
                try exchange.takeDown()
            case ("POST", "/exchange/up"):
                try exchange.bringUp()
            case ("POST", "/exchange/unknown-recipients"):
                guard let addresses = body["addresses"] as? [String] else { return (400, ["error": "\"addresses\" must be a list of strings"]) }
                exchange.setUnknownRecipients(Set(addresses))
            case ("POST", "/exchange/accept-delay"):
                guard let ms = body["milliseconds"] as? Int, (0...60_000).contains(ms) else {
                    return (400, ["error": "\"milliseconds\" must be a whole number from 0 to 60000"])
                }
                exchange.setAcceptDelay(Double(ms) / 1000)
            case ("POST", "/token/behaviour"):
                let name = body["behaviour"] as? String ?? ""
                let retryAfter = body["retry_after"] as? Int ?? 5
                guard let behaviour = TokenStandInBehaviour.named(name, success: tokenSuccess, retryAfter: retryAfter) else {
                    return (400, ["error": "unknown token behaviour \"\(name)\"", "behaviours": TokenStandInBehaviour.names])
                }
                if body["once"] as? Bool == true {
                    token.enqueue(behaviour)
                } else if let tenant = body["tenant"] as? String {
                    token.setBehaviour(behaviour, forPath: "/\(tenant)/oauth2/v2.0/token")
                } else {
                    token.setBehaviour(behaviour)
                }
            case ("POST", "/graph/behaviour"):
                let name = body["behaviour"] as? String ?? ""
                guard let behaviour = GraphStandInBehaviour.named(name, retryAfter: body["retry_after"] as? Int ?? 5) else {
                    return (400, ["error": "unknown Graph behaviour \"\(name)\"", "behaviours": GraphStandInBehaviour.names])
                }
                if body["once"] as? Bool == true { token.graph.enqueue(behaviour) } else { token.graph.setBehaviour(behaviour) }
            case ("POST", "/graph/applications"), ("POST", "/graph/service-principals"):
                let apps: [StandInApplication]
                if list != nil || body["value"] != nil {
                    do {
                        let input: Any = list.map { $0 as Any } ?? body
                        apps = try StandInApplication.decodeList(input)
                    } catch {
                        return (400, ["error": error.description, "field": error.field])
                    }
                } else {
                    guard let count = body["count"] as? Int, (0...GraphStandIn.maximumApplications).contains(count) else {
                        return (400, ["error": "\"count\" must be a whole number from 0 to \(GraphStandIn.maximumApplications), or give a list of applications"])
                    }
                    apps = StandInApplication.generated(count: count)
                }
                if request.path == "/graph/applications" { token.graph.setApplications(apps) } else { token.graph.setServicePrincipals(apps) }
            default:
                return (404, ["error": "no \(request.method) \(request.path); see docs/stand-ins.md"])
            }
        } catch {
            return (500, ["error": "\(error)"])
        }
        return (200, ["ok": true])
    }

    static func status(token: TokenStandIn, exchange: ExchangeStandIn) -> [String: Any] {
        var exchangeStatus: [String: Any] = [:]
        if let data = try? JSONEncoder().encode(exchange.counters),
           let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            exchangeStatus = object
        }
        exchangeStatus["down"] = exchange.isDown
        return [
            "stand_in": "secretwatch local stand-ins, not Microsoft",
            "exchange": exchangeStatus,
            "token": ["requests": token.requestCount, "issued_tokens": token.issuedTokens.count],
            "graph": ["requests": token.graph.requestCount, "applications": token.graph.applications.count,
                      "service_principals": token.graph.servicePrincipals.count],
        ]
    }
}
