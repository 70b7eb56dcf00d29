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
    let logger: Logger

    init(store: Store, engine: AlarmEngine, metrics: MetricsRegistry, schedulerStatus: SchedulerStatus,
         schedulerInterval: TimeInterval, policy: AlarmPolicy, clock: any WallClock, auth: BearerAuth,
         authReads: Bool, logger: Logger = Logger(label: "secretwatch.http")) {
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
                try QueryParameters(request.query, allowed: []).ensureEmpty()
                return .deferred(route: label) { serve { try credentials() } }
            case .deliveries:
                let query = try QueryParameters(request.query, allowed: ["limit", "cursor"])
                let limit = try query.int("limit", in: 1...Self.maxPageSize) ?? Self.defaultPageSize
                let cursor = try query.cursor()
                return .deferred(route: label) { serve { try deliveries(limit: limit, before: cursor) } }
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
        guard let text, let id = AlarmID.parse(text) else {
            throw .badRequest("alarm id must be a positive integer; got \"\((text ?? "").prefix(40))\"")
        }
        return id
    }
}
