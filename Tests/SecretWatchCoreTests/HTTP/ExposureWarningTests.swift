import Foundation
import Logging
import Testing
import SecretWatchTesting
@testable import SecretWatchCore
@testable import SecretWatchHTTPServer

/// Listening beyond loopback without a token for reads warns at start-up, naming what anyone can read.
@Suite struct ExposureWarningTests {
    /// Binds an HTTP service for `listen` with the token settings, then stops it; returns the warning lines.
    func warnings(listen host: String, token: Bool, authReads: Bool) throws -> [String] {
        let s = try TestServer()
        let dir = TemporaryDirectory()
        var config = HTTPConfig(listenHost: host, listenPort: 0, apiTokenFile: nil, authReads: authReads)
        if token { config.apiTokenFile = try dir.write("api-token", "exposure-test-token-123456\n", mode: 0o600) }
        let sink = MemoryLogSink()
        let logger = Logger(label: "secretwatch.http") { KeyValueLogHandler(label: $0, level: .info, sink: sink) }
        let scheduler = Scheduler(steps: [], interval: 60, clock: s.clock, store: s.store)
        let service = try HTTPService(config: config, store: s.store, engine: s.engine, metrics: s.metrics, scheduler: scheduler,
                                      policy: s.policy, clock: s.clock, limits: HTTPServerLimits(threadPoolSize: 2), logger: logger)
        try service.bind()
        service.server.stop()
        return sink.lines.filter { $0.contains("level=warning") }
    }

    @Test func allInterfacesWithoutATokenWarnsNamingWhatIsExposed() throws {
        let lines = try warnings(listen: "0.0.0.0", token: false, authReads: false)
        #expect(lines.count == 1, "\(lines)")
        let line = lines.joined()
        for exposed in ["0.0.0.0:", "not a loopback address", "http.api_token_file is not set", "/metrics", "/api/v1/alarms",
                        "/api/v1/credentials", "/api/v1/deliveries", "tenant and client ids", "mailboxes"] {
            #expect(line.contains(exposed), "\(exposed) missing from \(line)")
        }
    }

    @Test func aTokenWithoutAuthReadsStillWarnsAboutTheReadAPI() throws {
        let line = try warnings(listen: "0.0.0.0", token: true, authReads: false).joined()
        #expect(line.contains("http.auth_reads is false"), "\(line)")
        #expect(line.contains("/api/v1/credentials"), "\(line)")
    }

    @Test func loopbackOrATokenForReadsDoesNotWarn() throws {
        #expect(try warnings(listen: "0.0.0.0", token: true, authReads: true).isEmpty)
        #expect(try warnings(listen: "127.0.0.1", token: false, authReads: false).isEmpty)
    }

    @Test func loopbackAddresses() throws {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            #expect(try SocketAddress.resolve(host: host, port: 0).isLoopback, "\(host)")
        }
        for host in ["0.0.0.0", "::", "10.0.0.1", "::ffff:10.0.0.1", "fe80::1"] {
            #expect(try !SocketAddress.resolve(host: host, port: 0).isLoopback, "\(host)")
        }
    }
}
