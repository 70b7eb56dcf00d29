/// How the server gets answers. `plan` runs on a server thread and must not block: answers from prepared
/// state come back at once; answers that need the store come back as work the server runs off its threads
/// (the connection is suspended meanwhile, so other connections on that thread keep being served).
public protocol HTTPHandling: Sendable {
    func plan(_ request: HTTPRequest) -> HTTPPlan
    /// The route template a path belongs to (metric label for answers given before routing, such as 413).
    func routeLabel(path: String) -> String
    /// Called once per answer sent, with the route template (bounded) and status code.
    func answered(route: String, status: Int)
}

public enum HTTPPlan: Sendable {
    case immediate(route: String, HTTPResponse)
    case deferred(route: String, @Sendable () -> HTTPResponse)
}
