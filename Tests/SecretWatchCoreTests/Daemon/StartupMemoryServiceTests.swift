import Foundation
import Testing
@testable import SecretWatchCore

/// `secretwatch run` (the built binary) hands back its start-up pages once the first pass is done, says so in
/// its log with the resident memory before and after, and goes on serving: the code behind the released pages is
/// mapped again when it runs.
@Suite("Daemon: start-up pages released after the first pass")
struct StartupMemoryServiceTests {
    static func value(_ key: String, in line: Substring) -> Double? {
        guard let range = line.range(of: "\(key)=") else { return nil }
        return Double(line[range.upperBound...].prefix { $0 == "." || $0.isNumber })
    }

    @Test func theDaemonLogsTheReleaseAndGoesOnServing() async throws {
        let dir = TemporaryDirectory()
        let port = EndToEndHarness.freePort()
        try dir.write("secret.txt", "startup-memory-test-secret\n", mode: 0o600)
        let config = try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"),
                                                                        expires: Date().addingTimeInterval(10 * 86400),
                                                                        extra: "http:\n  listen: 127.0.0.1:\(port)"))
        let daemon = try BackgroundDaemon(config: config, logPath: dir.file("run.log"))
        try await daemon.waitUntil("the start-up pages to be released") { daemon.log.contains("start-up pages released") }
        let line = try #require(daemon.log.split(separator: "\n").first { $0.contains("start-up pages released") })
        let before = try #require(Self.value("resident_before_mib", in: line), "\(line)")
        let after = try #require(Self.value("resident_after_mib", in: line), "\(line)")
        #expect(after < before, "\(line)")
        // The first pass was done before: its alarm is in the log above the release.
        let log = daemon.log
        #expect(log.range(of: "alarm raised")!.lowerBound < log.range(of: "start-up pages released")!.lowerBound)
        // Serving goes on: the health check, the exposition (compressed too) and the API answer.
        let connection = try TestConnection(port: port)
        #expect(try connection.request("GET", "/healthz").status == 200)
        let metrics = try TestConnection(port: port).request("GET", "/metrics")
        #expect(metrics.status == 200 && metrics.text.contains("secretwatch_client_secret_expiry_timestamp_seconds{"))
        #expect(try TestConnection(port: port).request("GET", "/api/v1/alarms").status == 200)
        #expect(try await daemon.stop() == 0, "\(daemon.log.suffix(2000))")
    }
}
