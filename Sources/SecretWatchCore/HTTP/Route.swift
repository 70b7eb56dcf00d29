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
        return (.other, nil)
    }

    /// Methods the route answers; HEAD wherever GET is.
    public var allowedMethods: [String] {
        switch self {
        case .ack: ["POST"]
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
