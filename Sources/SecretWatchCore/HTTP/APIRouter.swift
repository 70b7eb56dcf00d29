import Foundation
import Logging
internal import SecretWatchHTTPServer

/// Routes every request: `/metrics` and `/healthz` from prepared state on the server thread, everything
/// that needs the store as deferred work. Checks, in order: path (404), method (405 with `Allow`), token
/// (401/403), query (400); then serves.
struct APIRouter: HTTPHandling {
    let store: Store
    let engine: AlarmEngine
    let metrics: MetricsRegistry
    let schedulerStatus: SchedulerStatus
    let schedulerInterval: TimeInterval
    let policy: AlarmPolicy
    let clock: any WallClock
    let auth: BearerAuth
    let authReads: Bool
    /// `POST /api/v1/relay/{receiver}`; nil: answered 404 like an unconfigured relay.
    let relay: RelayIntake?
    let logger: Logger

    init(store: Store, engine: AlarmEngine, metrics: MetricsRegistry, schedulerStatus: SchedulerStatus,
         schedulerInterval: TimeInterval, policy: AlarmPolicy, clock: any WallClock, auth: BearerAuth,
         authReads: Bool, relay: RelayIntake? = nil, logger: Logger = Logger(label: "secretwatch.http")) {
        self.relay = relay
        self.store = store
        self.engine = engine
        self.metrics = metrics
        self.schedulerStatus = schedulerStatus
        self.schedulerInterval = schedulerInterval
        self.policy = policy
        self.clock = clock
        self.auth = auth
        self.authReads = authReads
        self.logger = logger
    }

    /// Most items a page holds, and the default.
    static let maxPageSize = 500
    static let defaultPageSize = 50

    func routeLabel(path: String) -> String {
        Route.match(path).0.rawValue
    }

    func answered(route: String, status: Int) {
        metrics.countRequest(path: route, code: status)
    }

    func refusal(status: Int, message: String) -> HTTPResponse {
        .error(status, message)
    }

    func plan(_ request: HTTPRequest) -> HTTPPlan {
        let (route, id) = Route.match(request.path)
        let label = route.rawValue
        guard route != .other else {
            return .immediate(route: label, .error(404, "no such path: \(request.path.prefix(200)) (see docs/api.md)"))
        }
        guard route.allowedMethods.contains(request.method) else {
            let allow = route.allowedMethods.joined(separator: ", ")
            return .immediate(route: label, .error(405, "method \(request.method.prefix(20)) is not allowed on \(route.rawValue); use \(allow)",
                                                   headers: [("Allow", allow)]))
        }
        do throws(APIError) {
            if route.isAPIRead && authReads, let denied = auth.check(request, action: "reading the API") {
                throw denied
            }
            switch route {
            case .metrics:
                return .immediate(route: label, metricsResponse(request))
            case .healthz:
                return .immediate(route: label, .json(["status": "alive"]))
            case .readyz:
                return .deferred(route: label) { readiness() }
            case .alarms:
                let filter = try alarmFilter(request)
                return .deferred(route: label) { serve { try listAlarms(filter) } }
            case .alarm:
                let alarmId = try Self.alarmId(id)
                try QueryParameters(request.query, allowed: []).ensureEmpty()
                return .deferred(route: label) { serve { try showAlarm(alarmId) } }
            case .ack:
                if let denied = auth.check(request, action: "acknowledging alarms") { throw denied }
                let alarmId = try Self.alarmId(id)
                try QueryParameters(request.query, allowed: []).ensureEmpty()
                let body = try AckRequest(body: request.body)
                return .deferred(route: label) { serve { try acknowledge(alarmId, body) } }
            case .credentials:
                let filter = try CredentialFilter(request)
                return .deferred(route: label) { serve { try credentials(filter) } }
            case .deliveries:
                let query = try QueryParameters(request.query, allowed: ["limit", "cursor"])
                let limit = try query.int("limit", in: 1...Self.maxPageSize) ?? Self.defaultPageSize
                let cursor = try query.cursor()
                return .deferred(route: label) { serve { try deliveries(limit: limit, before: cursor) } }
            case .relay:
                return try planRelay(request, receiver: id ?? "", label: label)
            case .other:
                preconditionFailure("handled above")
            }
        } catch {
            return .immediate(route: label, error.response)
        }
    }

    /// Runs store work. A store failure is logged with SQLite's message and the statement; the answer is a 500
    /// with a stable code and no internal text.
    func serve(_ work: () throws -> HTTPResponse) -> HTTPResponse {
        do {
            return try work()
        } catch let error as APIError {
            return error.response
        } catch {
            logger.error("API request failed", metadata: ["error": "\(error)"])
            return Self.storeFailed
        }
    }

    static let storeFailed = HTTPResponse.error(500, "the database could not be read or written; the daemon log has the details",
                                                code: "store_error")

    static func alarmId(_ text: String?) throws(APIError) -> Int64 {
        guard let text, let id = RecordID.parse(text) else {
            throw .badRequest("alarm id must be a positive integer; got \"\((text ?? "").prefix(40))\"")
        }
        return id
    }
}

/// Every route the server answers, by template. The template is the `path` label of
/// `secretwatch_http_requests_total`, so the label stays bounded whatever paths clients send.
public enum Route: String, Sendable, CaseIterable {
    case metrics = "/metrics"
    case healthz = "/healthz"
    case readyz = "/readyz"
    case alarms = "/api/v1/alarms"
    case alarm = "/api/v1/alarms/{id}"
    case ack = "/api/v1/alarms/{id}/ack"
    case credentials = "/api/v1/credentials"
    case deliveries = "/api/v1/deliveries"
    case relay = "/api/v1/relay/{receiver}"
    /// Anything else (answered 404).
    case other = "other"

    /// The route of a path, and the `{id}` segment when it has one.
    public static func match(_ path: String) -> (Route, id: String?) {
        if let route = Route(rawValue: path), route != .other, !route.rawValue.contains("{") { return (route, nil) }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // "", "api", "v1", "alarms", id[, "ack"]
        if parts.count >= 5, parts[0].isEmpty, parts[1] == "api", parts[2] == "v1", parts[3] == "alarms", !parts[4].isEmpty {
            if parts.count == 5 { return (.alarm, String(parts[4])) }
            if parts.count == 6, parts[5] == "ack" { return (.ack, String(parts[4])) }
        }
        // "", "api", "v1", "relay", receiver
        if parts.count == 5, parts[0].isEmpty, parts[1] == "api", parts[2] == "v1", parts[3] == "relay", !parts[4].isEmpty {
            return (.relay, String(parts[4]))
        }
        return (.other, nil)
    }

    /// Methods the route answers; HEAD wherever GET is.
    public var allowedMethods: [String] {
        switch self {
        case .ack, .relay: ["POST"]
        case .other: []
        default: ["GET", "HEAD"]
        }
    }

    /// API reads that `http.auth_reads` puts behind the token (metrics and health stay open for probes).
    public var isAPIRead: Bool {
        switch self {
        case .alarms, .alarm, .credentials, .deliveries: true
        default: false
        }
    }
}

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

/// The API's answers are JSON. Error answers are `{"error": "…", "code": "…"}`: a message naming the problem and a
/// stable code for programs (docs/api.md lists them).
extension HTTPResponse {
    static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON answer; every answer goes through the `Redactor` as a last guard against a leaked secret.
    static func json<T: Encodable>(_ value: T, status: Int = 200, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        do {
            let text = try JSONOutput.string(value, pretty: false)
            return HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)] + headers,
                                body: .bytes(Array((Redactor.scrub(text) + "\n").utf8)))
        } catch {
            return .error(500, "cannot encode the answer")
        }
    }

    /// An error answer. `code` defaults to the one for the status (`defaultCode`).
    static func error(_ status: Int, _ message: String, code: String? = nil,
                      headers: [(name: String, value: String)] = []) -> HTTPResponse {
        let fields = ["error": Redactor.scrub(message), "code": code ?? defaultCode(status)]
        let text = (try? JSONOutput.string(fields, pretty: false)) ?? #"{"code":"internal_error","error":"internal error"}"#
        return HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)] + headers,
                            body: .bytes(Array((text + "\n").utf8)))
    }

    /// The error code of an answer that gives none: one per status.
    static func defaultCode(_ status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 409: "conflict"
        case 413: "body_too_large"
        case 415: "unsupported_media_type"
        case 503: "unavailable"
        default: "internal_error"
        }
    }
}
