import Foundation

extension TokenStandIn {
    /// Writes the answer a behaviour describes.
    static func answer(_ behaviour: TokenStandInBehaviour, to request: HTTPRequest, on connection: StandInConnection,
                       traceId: String, keepAlive: Bool = false, issued: IssuedTokens? = nil) throws {
        let extra = keepAlive ? [] : ["Connection: close"]
        switch behaviour {
        case .success(let token, let expiresIn):
            issued?.record(token, expiresIn: expiresIn)
            try respond(connection, 200, json: successJSON(token: token, expiresIn: expiresIn), extraHeaders: extra)
        case .requireSecret(let secret, let token, let expiresIn):
            if request.form["client_secret"] == secret {
                issued?.record(token, expiresIn: expiresIn)
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
        case 407: "Proxy Authentication Required"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
