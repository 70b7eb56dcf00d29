/// How the server gets answers. `plan` runs on a server thread and must not block: answers from prepared
/// state come back at once; answers that need blocking work come back as work the server runs off its threads
/// (the connection is suspended meanwhile, so other connections on that thread keep being served).
public protocol HTTPHandling: Sendable {
    func plan(_ request: HTTPRequest) -> HTTPPlan
    /// The route template a path belongs to (metric label for answers given before routing, such as 413).
    func routeLabel(path: String) -> String
    /// Called once per answer sent, with the route template (bounded) and status code.
    func answered(route: String, status: Int)
    /// The answer for a request the server refuses before planning (413 for a body over `maxBodyBytes`):
    /// the status, and a message saying what is wrong.
    func refusal(status: Int, message: String) -> HTTPResponse
    /// The largest body accepted for a request, when its route allows another size than the server's
    /// `maxBodyBytes`; nil for the server's. Asked on the server thread once the headers are in, before any of the
    /// body is read.
    func maxBodyBytes(method: String, path: String) -> Int?
}

extension HTTPHandling {
    public func maxBodyBytes(method: String, path: String) -> Int? { nil }
}

public enum HTTPPlan: Sendable {
    case immediate(route: String, HTTPResponse)
    case deferred(route: String, @Sendable () -> HTTPResponse)
}

/// One request as the server received it: method, path (already percent-decoded by libmicrohttpd, without
/// the query), query parameters in order (duplicates kept), headers with lower-cased names, and the body.
public struct HTTPRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [String: String]
    public var body: [UInt8]

    init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [String: String] = [:],
         body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// Whether the client accepts a gzip body (`Accept-Encoding: gzip`, `*`, without `q=0`).
    public var acceptsGzip: Bool {
        guard let value = header("accept-encoding") else { return false }
        for item in value.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "*" else { continue }
            let q = parts.dropFirst().first(where: { $0.hasPrefix("q=") }).flatMap { Double($0.dropFirst(2)) } ?? 1
            if q > 0 { return true }
        }
        return false
    }
}

/// One answer: status, headers and body.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        /// Copied by libmicrohttpd when the answer is queued.
        case bytes([UInt8])
        /// Sent from the body's own memory without a copy, or pulled from it as the client reads.
        case streamed(any HTTPResponseBody)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A body too large, or too costly to prepare, to be gathered into one array for each answer.
public protocol HTTPResponseBody: Sendable {
    /// What the server sends; asked once, on the server thread that queues the answer.
    func content() -> HTTPBodyContent
}

public enum HTTPBodyContent {
    /// Byte ranges sent in order straight from their memory. `owner` keeps that memory alive; the server holds it
    /// until the last byte has been sent (or the connection is gone).
    case buffers([UnsafeRawBufferPointer], owner: AnyObject)
    /// `length` bytes pulled from the stream, 64 KiB at most at a time, as the client reads.
    case stream(any HTTPBodyStream, length: Int)
}

/// Bytes produced as they are sent. Asked by one thread at a time, in order: each call continues where the
/// previous one ended.
public protocol HTTPBodyStream: AnyObject {
    /// Fills `buffer` with the next bytes and returns how many, 0 at the end; nil when the body cannot go on.
    /// The stream logs why: the server can only close the connection mid-body then, rather than send wrong bytes.
    func next(into buffer: UnsafeMutableRawBufferPointer) -> Int?
}
