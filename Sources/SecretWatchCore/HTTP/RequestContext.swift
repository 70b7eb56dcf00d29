import Foundation
import Synchronization

/// What the server gathers about one request across libmicrohttpd's access-handler calls. Created on the
/// first call, kept in libmicrohttpd's per-request pointer (retained), released when the request completes.
final class RequestContext: Sendable {
    struct Gathered: Sendable {
        var query: [(name: String, value: String)] = []
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        var bodyTooLarge = false
        /// Set once deferred work has been handed off (the connection is suspended until it is done).
        var dispatched = false
        var route = "other"
    }

    let method: String
    let path: String
    /// Touched by the server thread that owns the connection and, for deferred work, by the worker that
    /// produces `response`; the lock orders the two.
    let gathered = Mutex(Gathered())
    let response = Mutex<HTTPResponse?>(nil)

    init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    func request() -> HTTPRequest {
        gathered.withLock { g in
            HTTPRequest(method: method, path: path, query: g.query, headers: g.headers, body: g.body)
        }
    }
}
