import Foundation
import Logging
import Testing
@testable import SecretWatchCore
@testable import SecretWatchHTTPServer
import SecretWatchTesting

/// The server itself: statuses, error answers, keep-alive, HEAD, limits.
@Suite struct HTTPServerTests {
    @Test func healthzAnswersAliveAndHeadHasNoBody() throws {
        let s = try TestServer()
        let get = try s.get("/healthz")
        #expect(get.status == 200)
        #expect(get.headers["content-type"] == "application/json; charset=utf-8")
        #expect(try get.json()["status"] as? String == "alive")
        let head = try httpRequest(port: s.port, "HEAD", "/healthz")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["content-length"] == String(get.body.count))
    }

    @Test func unknownPathIs404WithJSONError() throws {
        let s = try TestServer()
        for path in ["/", "/nope", "/metrics/", "/api/v1/alarms/1/nack", "/api/v2/alarms"] {
            let r = try s.get(path)
            #expect(r.status == 404, "\(path)")
            #expect(r.errorMessage?.contains("no such path") == true, "\(path): \(r.text)")
        }
    }

    @Test(arguments: [
        ("POST", "/metrics", "GET, HEAD"), ("DELETE", "/api/v1/alarms", "GET, HEAD"), ("PUT", "/healthz", "GET, HEAD"),
        ("GET", "/api/v1/alarms/1/ack", "POST"), ("POST", "/api/v1/credentials", "GET, HEAD"),
    ])
    func wrongMethodIs405WithAllow(method: String, path: String, allow: String) throws {
        let s = try TestServer()
        let r = try httpRequest(port: s.port, method, path, body: method == "GET" ? nil : [])
        #expect(r.status == 405)
        #expect(r.headers["allow"] == allow)
        #expect(r.errorMessage?.contains("method \(method) is not allowed") == true, "\(r.text)")
    }

    @Test(arguments: [
        ("/api/v1/alarms?state=bogus", "\"state\" must be one of active, cleared, all"),
        ("/api/v1/alarms?kind=expiry", "\"kind\" must be one of client_secret_expiring"),
        ("/api/v1/alarms?limit=0", "\"limit\" must be an integer from 1 to 500"),
        ("/api/v1/alarms?limit=abc", "\"limit\" must be an integer"),
        ("/api/v1/alarms?since=yesterday", "\"since\" must be an RFC 3339 time"),
        ("/api/v1/alarms?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", "\"until\" (2026-12-01T00:00:00Z) must be later"),
        ("/api/v1/alarms?colour=red", "unknown query parameter \"colour\""),
        ("/api/v1/alarms?state=active&state=all", "\"state\" is given more than once"),
        ("/api/v1/alarms?cursor=-3", "\"cursor\" must be the next_cursor"),
        ("/api/v1/alarms?cursor=%2B3", "\"cursor\" must be the next_cursor"),
        ("/api/v1/alarms?cursor=03", "\"cursor\" must be the next_cursor"),
        ("/api/v1/alarms?credential=", "\"credential\" is empty"),
        ("/api/v1/alarms/abc", "alarm id must be a positive integer"),
        ("/api/v1/alarms/0", "alarm id must be a positive integer"),
        ("/api/v1/alarms/+1", "alarm id must be a positive integer"),
        ("/api/v1/alarms/01", "alarm id must be a positive integer"),
        ("/api/v1/alarms/1?verbose=1", "unknown query parameter \"verbose\" (accepted: none)"),
        ("/api/v1/deliveries?limit=9999", "\"limit\" must be an integer from 1 to 500"),
        ("/api/v1/credentials?all=1", "unknown query parameter \"all\""),
    ])
    func badQueryIs400NamingTheProblem(path: String, expected: String) throws {
        let s = try TestServer()
        let r = try s.get(path)
        #expect(r.status == 400, "\(path)")
        #expect(r.errorMessage?.contains(expected) == true, "\(path): \(r.text)")
    }

    @Test func ackOfANonCanonicalAlarmIdIs400() throws {
        let s = try TestServer()
        try s.seedStandard()
        for id in ["+1", "01"] {
            let r = try s.post("/api/v1/alarms/\(id)/ack", json: #"{"by": "alice"}"#)
            #expect(r.status == 400, "\(id): \(r.text)")
            #expect(r.errorMessage?.contains("alarm id must be a positive integer; got \"\(id)\"") == true, "\(id): \(r.text)")
        }
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let s = try TestServer()
        try s.seedStandard()
        let connection = try TestConnection(port: s.port)
        for path in ["/healthz", "/metrics", "/api/v1/alarms", "/nope", "/metrics", "/api/v1/credentials"] {
            let r = try connection.request("GET", path)
            #expect(r.status == (path == "/nope" ? 404 : 200), "\(path)")
            #expect(r.headers["connection"]?.lowercased() != "close", "\(path) closed the connection")
        }
    }

    @Test func bodyOverTheLimitIs413() throws {
        let s = try TestServer()
        try s.seedStandard()
        // Announced by Content-Length: refused before the body is read.
        let big = "{\"by\": \"alice\", \"comment\": \"" + String(repeating: "x", count: 4000) + "\"}"
        let r = try s.post("/api/v1/alarms/1/ack", json: big)
        #expect(r.status == 413)
        #expect(r.errorMessage == "request body larger than 1024 bytes")
        // Chunked (no length announced): counted while it arrives.
        let connection = try TestConnection(port: s.port)
        var raw = "POST /api/v1/alarms/1/ack HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.token)\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<4 { raw += "258\r\n" + String(repeating: "y", count: 600) + "\r\n" }
        raw += "0\r\n\r\n"
        try connection.send(Array(raw.utf8))
        let chunked = try connection.readResponse()
        #expect(chunked.status == 413)
        #expect(chunked.errorMessage == "request body larger than 1024 bytes")
        // Nothing was acknowledged.
        #expect(try s.store.alarm(id: 1)?.acknowledgedAt == nil)
    }

    @Test func headersOverTheConnectionMemoryAreRefusedAndTheServerGoesOn() throws {
        let s = try TestServer()
        let huge = String(repeating: "h", count: 80 * 1024)
        let r = try httpRequest(port: s.port, "GET", "/healthz", headers: ["X-Huge": huge])
        #expect(r.status == 431)
        #expect(try s.get("/healthz").status == 200)
    }

    @Test func idleConnectionsBeyondTheLimitDoNotStopTheServer() throws {
        let limit = 8
        let s = try TestServer(limits: HTTPServerLimits(connectionLimit: limit, connectionTimeout: 30, threadPoolSize: 2, maxBodyBytes: 1024))
        let active = try TestConnection(port: s.port)
        #expect(try active.request("GET", "/healthz").status == 200)
        // Twice the limit of connections that never send a byte.
        var idle: [TestConnection] = []
        for _ in 0..<(limit * 2) { idle.append(try TestConnection(port: s.port)) }
        // The established connection is still served, repeatedly.
        for _ in 0..<3 {
            #expect(try active.request("GET", "/metrics").status == 200)
        }
        // Once the idle ones go away, new connections are served again (bounded wait for the server to notice).
        idle.removeAll()
        var fresh: TestResponse?
        for _ in 0..<50 where fresh == nil {
            fresh = try? httpRequest(port: s.port, "GET", "/healthz")
            if fresh == nil { usleep(100_000) }
        }
        #expect(fresh?.status == 200)
    }

    @Test func startFailsNamingTheAddressWhenThePortIsTaken() throws {
        let s = try TestServer()
        let second = MicroHTTPDServer(host: "127.0.0.1", port: s.port, handler: NotFoundHandler())
        #expect {
            try second.start()
        } throws: { error in
            "\(error)".contains("cannot start the HTTP server on 127.0.0.1:\(s.port)")
        }
        let bad = MicroHTTPDServer(host: "not a host name", port: 0, handler: NotFoundHandler())
        #expect(throws: HTTPServerError.self) { try bad.start() }
    }

    /// The log line docs/troubleshooting.md quotes, with the timeout spelled as in the configuration.
    @Test func requestTimeoutSweepLogsHowManyConnectionsItClosed() throws {
        let sink = MemoryLogSink()
        let logger = Logger(label: "secretwatch.http") { KeyValueLogHandler(label: $0, level: .info, sink: sink) }
        let deadlines = RequestDeadlines(timeout: 90, logger: logger)
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
        defer { pair.forEach { close($0) } }
        deadlines.opened(1, fd: pair[0])
        #expect(deadlines.sweep(now: .now + .seconds(91)) == 1)
        let lines = sink.lines.filter { $0.contains("closed connections whose request did not arrive in time") }
        #expect(lines.count == 1, "\(sink.lines)")
        #expect(lines.first?.contains("connections=1") == true, "\(lines)")
        #expect(lines.first?.contains("request_timeout=90s") == true, "\(lines)")
    }

    @Test func acceptEncodingParsing() {
        func accepts(_ value: String?) -> Bool {
            HTTPRequest(method: "GET", path: "/", headers: value.map { ["accept-encoding": $0] } ?? [:]).acceptsGzip
        }
        #expect(accepts("gzip"))
        #expect(accepts("deflate, GZIP;q=0.5"))
        #expect(accepts("*"))
        #expect(!accepts(nil))
        #expect(!accepts("identity"))
        #expect(!accepts("gzip;q=0"))
    }
}

/// A handler that answers 404 to everything (for server tests that never route).
struct NotFoundHandler: HTTPHandling {
    func plan(_ request: HTTPRequest) -> HTTPPlan { .immediate(route: "other", .error(404, "nothing here")) }
    func routeLabel(path: String) -> String { "other" }
    func answered(route: String, status: Int) {}
    func refusal(status: Int, message: String) -> HTTPResponse { .error(status, message) }
}
