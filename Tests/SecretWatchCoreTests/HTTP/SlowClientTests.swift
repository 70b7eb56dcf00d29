import Foundation
import Testing
@testable import SecretWatchCore
import SecretWatchHTTPServer

/// Many slow or idle clients must not take `/healthz` and `/metrics` away from probes and Prometheus.
@Suite(.serialized) struct SlowClientTests {
    /// One probe: a fresh connection, one GET, the answer or the failure, and how long it took.
    struct Probe: CustomStringConvertible {
        var second: Int
        var path: String
        var status: Int?
        var failure: String?
        var seconds: Double
        var description: String {
            "second \(second) \(path): \(status.map { "\($0)" } ?? failure ?? "?") after \(String(format: "%.3f", seconds)) s"
        }
    }

    /// GETs each path on a fresh connection every second for `duration` seconds (on a Dispatch thread).
    static func probe(port: Int, paths: [String], duration: Int, bound: TimeInterval) async -> [Probe] {
        await BlockingExecutor.run {
            var probes: [Probe] = []
            let start = Date()
            for second in 0..<duration {
                for path in paths {
                    let began = Date()
                    do {
                        let r = try TestConnection(port: port, timeout: bound).request("GET", path)
                        probes.append(Probe(second: second, path: path, status: r.status, seconds: Date().timeIntervalSince(began)))
                    } catch {
                        probes.append(Probe(second: second, path: path, failure: "\(error)", seconds: Date().timeIntervalSince(began)))
                    }
                }
                let next = start.addingTimeInterval(Double(second + 1))
                if next > Date() { Thread.sleep(until: next) }
            }
            return probes
        }
    }

    /// `Fixtures/slow_clients.py`: the slow clients in a process of their own (thousands of sockets in the test
    /// process would crowd the descriptors of the tests running beside it). Ends when its stdin closes.
    final class SlowClientProcess: @unchecked Sendable {
        struct Counts: Decodable, CustomStringConvertible {
            var open: Int
            var opened: Int
            var closed_by_server: Int
            var description: String { "open \(open), opened \(opened), closed by the server \(closed_by_server)" }
        }

        private let process: Process
        private let input: Pipe
        private let stats: String

        init(port: Int, sources: [String], trickling: Int, idle: Int, directory: TemporaryDirectory) throws {
            stats = directory.file("slow-clients.json")
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/slow_clients.py")
            let process = Process()
            self.process = process
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [script.path, "--port", "\(port)", "--sources", sources.joined(separator: ","),
                                 "--trickling", "\(trickling)", "--idle", "\(idle)", "--stats", stats]
            process.standardOutput = FileHandle.nullDevice
            input = try process.runExclusively { () -> Pipe in
                let input = Pipe()
                process.standardInput = input
                return input
            }
        }

        var counts: Counts? { (try? Data(contentsOf: URL(fileURLWithPath: stats))).flatMap { try? JSONDecoder().decode(Counts.self, from: $0) } }

        /// Closes stdin and waits, bounded, for the clients to go (SIGTERM, SIGKILL after 10 s).
        func stop() {
            try? input.fileHandleForWriting.close()
            process.end(grace: 10)
        }
    }

    @Test func healthzAndMetricsAnswerWithinASecondUnderTwoThousandSlowConnections() async throws {
        // The built daemon with the shipped limits, its connections in its own process.
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "test-client-secret-value\n", mode: 0o600)
        let port = MailTestSupport.closedPort()
        let config = try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date().addingTimeInterval(90 * 86400),
                                                                       secretFile: dir.file("secret.txt"),
                                                                       extra: "http:\n  listen: 127.0.0.1:\(port)"))
        let daemon = try DaemonProcess(binary: TestPaths.executable, config: config, log: dir.file("daemon.log"))
        defer { daemon.signal(SIGTERM) }
        try await daemon.waitForLog("scheduler started") // the HTTP port is bound before the scheduler starts
        // 40 source addresses with 25 trickling and 25 idle connections each: 1,000 trickling, 1,000 idle.
        let total = 2_000
        let clients = try SlowClientProcess(port: port, sources: (10..<50).map { "127.0.0.\($0)" }, trickling: 25, idle: 25, directory: dir)
        defer { clients.stop() }
        var established = false
        for _ in 0..<300 {
            if (clients.counts?.open ?? 0) >= total { established = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(established, "only \(clients.counts.map(\.description) ?? "no") slow connections were established")

        // While probing, how many slow connections are open is sampled every 250 ms.
        async let sampled: [Int] = {
            var samples: [Int] = []
            for _ in 0..<60 {
                samples.append(clients.counts?.open ?? 0)
                try? await Task.sleep(for: .milliseconds(250))
            }
            return samples
        }()
        let probes = await Self.probe(port: port, paths: ["/healthz", "/metrics"], duration: 15, bound: 1)
        let late = probes.filter { $0.status != 200 || $0.seconds > 1 }
        #expect(late.count == 0, "\(late.count) of \(probes.count) probes failed or took over 1 s: \(late.prefix(6))")
        #expect(probes.count == 30)
        // The abuse went on all along: the request timeout closes the slow connections (all at once, every 5 s:
        // they opened together) and they come back, so most of the time most of them are open.
        let samples = await sampled.sorted()
        #expect(samples[samples.count / 2] >= total / 2, "open connections while probing, sorted: \(samples)")
        let counts = try #require(clients.counts)
        #expect(counts.closed_by_server >= total, "\(counts)")
    }

    @Test func connectionsBeyondThePerAddressLimitAreClosedAtOnce() async throws {
        let s = try TestServer(limits: HTTPServerLimits(perIPConnectionLimit: 8, requestTimeout: 60, threadPoolSize: 2, maxBodyBytes: 1024))
        let clients = SlowClients(port: s.port, sources: ["127.0.0.60"], trickling: 0, idle: 40, reconnect: false)
        clients.start()
        defer { clients.stop() }
        for _ in 0..<100 where clients.counts.closedByServer < 32 { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .milliseconds(300))
        let counts = clients.counts
        #expect(counts.closedByServer == 32, "\(counts)")
        #expect(counts.open == 8, "\(counts)")
        // Other addresses are still served.
        #expect(try s.get("/healthz").status == 200)
    }

    /// Whether the server closed the connection (reads end-of-file or a reset) without waiting.
    static func closed(_ connection: TestConnection) -> Bool {
        var byte: UInt8 = 0
        let n = recv(connection.fd, &byte, 1, Int32(MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    @Test func requestsThatDoNotArriveWithinTheRequestTimeoutAreClosed() async throws {
        // The idle timeout (30 s) is far away; every connection here keeps sending or has just opened.
        let s = try TestServer(limits: HTTPServerLimits(requestTimeout: 2, connectionTimeout: 30, threadPoolSize: 2, maxBodyBytes: 1024))
        let names = ["trickled headers", "nothing sent", "trickled body", "idle after an answer"]
        let closedAfter: [String: Double] = try await BlockingExecutor.run {
            let headers = try TestConnection(port: s.port)
            let silent = try TestConnection(port: s.port)
            let body = try TestConnection(port: s.port)
            try body.send(Array("POST /api/v1/alarms/1/ack HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n\r\n".utf8))
            let kept = try TestConnection(port: s.port)
            guard try kept.request("GET", "/healthz").status == 200 else { throw TestFailure("no answer on the kept-alive connection") }
            let connections = [headers, silent, body, kept]
            let trickle = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8) + [UInt8](repeating: 97, count: 200)
            var result: [String: Double] = [:]
            let start = Date()
            var sent = 0
            while result.count < connections.count && Date().timeIntervalSince(start) < 12 {
                // One byte of headers and one of body every 0.25 s.
                try? headers.send([trickle[sent]])
                try? body.send([UInt8(ascii: "x")])
                sent += 1
                Thread.sleep(forTimeInterval: 0.25)
                for (name, connection) in zip(names, connections) where result[name] == nil && Self.closed(connection) {
                    result[name] = Date().timeIntervalSince(start)
                }
            }
            return result
        }
        for name in names {
            guard let after = closedAfter[name] else {
                Issue.record("\(name): still open after 12 s (request timeout 2 s)")
                continue
            }
            // Not before the timeout; the upper bound is generous (the sweep runs every 0.5 s here).
            #expect(after >= 1.5, "\(name): closed after \(after) s")
        }
        #expect(try s.get("/healthz").status == 200)
    }
}
