import Foundation
import Logging
import Synchronization
import Testing
@testable import SecretWatchCore
@testable import SecretWatchHTTPServer

/// Stopping the HTTP server while clients connect: the daemon ends with status 0, never with libmicrohttpd's
/// abort. Stopping must not remove the listening socket from the worker threads' epoll sets from another thread
/// (`MHD_quiesce_daemon`): a worker woken at that moment removes it too, and libmicrohttpd 0.9.75 panics when the
/// second removal finds it gone ("Failed to remove listen FD from epoll set"). The window is a few instructions
/// wide; `Fixtures/epoll-del-delay.c`, preloaded into the daemon, holds it open for 300 ms so that a connection
/// always lands in it.
@Suite("HTTP server: stopping while clients connect")
struct HTTPServerStopTests {
    @Test func sigtermWhileClientsConnectEndsCleanly() async throws {
        let dir = TemporaryDirectory()
        let shim = try await PreloadLibrary.build("HTTP/Fixtures/epoll-del-delay.c", in: dir)
        let port = EndToEndHarness.freePort()
        try dir.write("secret.txt", "http-stop-test-secret\n", mode: 0o600)
        let config = try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"),
                                                                        expires: Date().addingTimeInterval(400 * 86400),
                                                                        extra: "http:\n  listen: 127.0.0.1:\(port)"))
        let daemon = try BackgroundDaemon(config: config, logPath: dir.file("run.log"), environment: ["LD_PRELOAD": shim])
        try await daemon.waitUntil("the HTTP server to answer") { try TestConnection(port: port).request("GET", "/healthz").status == 200 }
        // Clients keep connecting (and asking for /healthz) until the daemon has ended.
        let stop = Atomic<Bool>(false)
        let connector = Thread {
            while !stop.load(ordering: .relaxed) {
                _ = try? TestConnection(port: port, timeout: 1).request("GET", "/healthz")
                usleep(2_000)
            }
        }
        connector.start()
        defer { stop.store(true, ordering: .relaxed) }
        kill(daemon.pid, SIGTERM)
        let ending = try await daemon.process.ending()
        #expect(ending == .exit(0), "\(daemon.log.suffix(3000))")
        #expect(!daemon.log.contains("Fatal error"), "\(daemon.log.suffix(3000))")
    }

    /// Deferred work under way when the server stops is waited for and its answer sent; a request that would
    /// start new deferred work meanwhile is answered 503 at once (it would otherwise keep the stop waiting, or resume a connection after
    /// libmicrohttpd freed it).
    @Test func deferredWorkArrivingWhileStoppingIs503() async throws {
        let handler = HeldWorkHandler()
        let server = MicroHTTPDServer(host: "127.0.0.1", port: 0, handler: handler, logger: Logger(label: "test.http-stop"))
        try server.start()
        let port = server.port
        // A request whose work is held until released.
        let held = try TestConnection(port: port)
        try held.send(Array("GET /held HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        try await handler.waitUntilHeld()
        let stopped = Atomic<Bool>(false)
        let stopper = Thread { server.stop(); stopped.store(true, ordering: .releasing) }
        stopper.start()
        // Quick deferred requests: answered 200 until the stop has begun, then 503; the stop waits meanwhile.
        let probe = try TestConnection(port: port)
        var last = 0
        let deadline = Date().addingTimeInterval(Patience.seconds)
        while Date() < deadline {
            let answer = try probe.request("GET", "/quick")
            last = answer.status
            if last == 503 {
                #expect(answer.text.contains("the server is stopping"), "\(answer.text)")
                break
            }
            #expect(last == 200)
        }
        #expect(last == 503)
        let returnedEarly = stopped.load(ordering: .acquiring)
        #expect(!returnedEarly, "stop() returned while deferred work was still running")
        handler.release()
        // The held work's answer goes out before the connections are closed.
        let answer = try held.readResponse()
        #expect(answer.status == 200 && answer.text.contains("released"), "\(answer.text)")
        await BlockingExecutor.run { while !stopped.load(ordering: .acquiring) { usleep(1_000) } }
        #expect(!server.isRunning)
    }
}

/// Deferred work: `/held` waits until `release()`, anything else answers 200 at once.
final class HeldWorkHandler: HTTPHandling, @unchecked Sendable {
    // `@unchecked Sendable`: the semaphores and the atomic are thread-safe.
    private let gate = DispatchSemaphore(value: 0)
    private let holding = Atomic<Bool>(false)

    func plan(_ request: HTTPRequest) -> HTTPPlan {
        if request.path == "/held" {
            return .deferred(route: "held") { [self] in
                holding.store(true, ordering: .releasing)
                gate.wait()
                return .error(200, "released")
            }
        }
        return .deferred(route: "quick") { .error(200, "quick") }
    }

    func routeLabel(path: String) -> String { "other" }
    func answered(route: String, status: Int) {}
    func refusal(status: Int, message: String) -> HTTPResponse { .error(status, message) }

    func waitUntilHeld() async throws {
        try await BlockingExecutor.run { [self] in
            let deadline = Date().addingTimeInterval(Patience.seconds)
            while !holding.load(ordering: .acquiring) {
                guard Date() < deadline else { throw TestFailure("the held work never started") }
                usleep(1_000)
            }
        }
    }

    func release() { gate.signal() }
}
