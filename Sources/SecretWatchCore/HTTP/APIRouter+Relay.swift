import FoundationEssentials
internal import SecretWatchHTTPServer

/// `POST /api/v1/relay/{receiver}`: the Alertmanager/Grafana webhook. Checked on the server thread, in order:
/// relay configured and receiver known (404), bearer token of the receiver (401), JSON content type (415); the
/// body's size was bounded by `relay.max_body_bytes` before it was read (413). `RelayIntake` then validates (400),
/// de-duplicates and commits as deferred work, and the answer (200, or 503 when the store cannot commit) comes
/// only after the commit.
extension APIRouter {
    /// The relay route reads up to `relay.max_body_bytes`; every other route keeps the server's 16 KiB.
    func maxBodyBytes(method: String, path: String) -> Int? {
        guard let relay, Route.match(path).0 == .relay, let config = relay.gate.snapshot.config else { return nil }
        return config.maxBodyBytes
    }

    func planRelay(_ request: HTTPRequest, receiver: String, label: String) throws(APIError) -> HTTPPlan {
        guard let relay, let config = relay.gate.snapshot.config else {
            throw .notFound("relay is not configured (see docs/relay.md)")
        }
        guard config.receiver(named: receiver) != nil else {
            throw .notFound("no relay receiver named \"\(VisibleText.escaped(String(receiver.prefix(64))))\"")
        }
        let tokens = relay.gate.snapshot.tokens
        if let denied = Self.checkRelayToken(request, expected: tokens.token(for: receiver)) {
            relay.rejected(receiver: receiver, status: "unknown")
            throw denied
        }
        guard Self.isJSON(request.header("content-type")) else {
            relay.rejected(receiver: receiver, status: "unknown")
            throw APIError(status: 415, message: "the notification must be sent as Content-Type: application/json; got \(request.header("content-type").map { "\"\(VisibleText.escaped(String($0.prefix(100))))\"" } ?? "none")")
        }
        let body = request.body
        return .deferred(route: label) {
            do throws(RelayRefusal) {
                switch try relay.accept(receiver: receiver, body: body, now: clock.now()) {
                case .queued(_, let messageId):
                    return .json(["status": "queued", "message_id": messageId])
                case .duplicate(let messageId):
                    return .json(["status": "duplicate", "message_id": messageId])
                }
            } catch {
                return .error(error.status, error.message, code: error.code,
                              headers: error.retryAfter.map { [(name: "Retry-After", value: String($0))] } ?? [])
            }
        }
    }

    /// 401 (with a Bearer challenge) unless the request carries the receiver's token; compared in constant time.
    static func checkRelayToken(_ request: HTTPRequest, expected: [UInt8]?) -> APIError? {
        let challenge = [(name: "WWW-Authenticate", value: #"Bearer realm="secretwatch-relay""#)]
        guard let header = request.header("authorization") else {
            return APIError(status: 401, message: "relaying needs an Authorization: Bearer <token> header (Alertmanager: http_config.authorization)", headers: challenge)
        }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            return APIError(status: 401, message: "malformed Authorization header: expected \"Bearer <token>\"", headers: challenge)
        }
        guard let expected, BearerAuth.constantTimeEqual(Array(parts[1].utf8), expected) else {
            return APIError(status: 401, message: "the relay token is not valid for this receiver", headers: challenge)
        }
        return nil
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`), in any case.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces.lowercased() }
        return type == "application/json"
    }
}
