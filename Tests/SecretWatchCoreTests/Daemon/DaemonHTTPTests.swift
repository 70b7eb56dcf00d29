import Foundation
import Testing
@testable import SecretWatchCore

/// `secretwatch run` serves HTTP: the daemon built from a configuration starts the server on the configured
/// address with the configured token, feeds its metrics from the scheduler, and stops it when it stops.
@Suite struct DaemonHTTPTests {
    @Test func theDaemonServesMetricsAndTheAPIAndStopsCleanly() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("secretwatch-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenFile = dir.appendingPathComponent("api-token").path
        _ = FileManager.default.createFile(atPath: tokenFile, contents: Data("daemon-test-token-123456\n".utf8),
                                           attributes: [.posixPermissions: 0o600])
        let yaml = """
            database: \(dir.path)/secretwatch.db
            http:
              listen: 127.0.0.1:0
              api_token_file: \(tokenFile)
            scheduler:
              interval: 1h
            smtp:
              auth:
                name: ise-smtp
                mailbox: alerts@contoso.example
                tenant_id: 0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91
                client_id: 5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a
                client_secret_env: TEST_SECRET
                secret_expires: \(Timestamps.day(Date().addingTimeInterval(5 * 86400)))
            notifications:
              from: alerts@contoso.example
              to: [ops@contoso.example]
            """
        let path = dir.appendingPathComponent("secretwatch.yml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader(environment: ["TEST_SECRET": "not-a-real-secret-value"]).load(path: path).config
        let daemon = try Daemon(config: config)
        let http = try #require(daemon.services.compactMap { $0 as? HTTPService }.first, "no HTTP service in the daemon")
        let running = Task { try await daemon.run() }

        // Bounded wait for the bind and the first scheduler pass.
        var ready: TestResponse?
        for _ in 0..<100 {
            if http.server.port > 0, let r = try? httpRequest(port: http.server.port, "GET", "/readyz"), r.status == 200 {
                ready = r
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(ready != nil, "the daemon never became ready")
        let port = http.server.port
        daemon.metrics.flush()
        let metrics = try httpRequest(port: port, "GET", "/metrics").text
        #expect(metrics.contains("secretwatch_client_secret_expiry_timestamp_seconds{credential=\"ise-smtp\""))
        #expect(metrics.contains("secretwatch_active_alarms{kind=\"client_secret_expiring\",severity=\"critical\",credential=\"ise-smtp\"} 1"))
        #expect(metrics.contains("\nsecretwatch_scheduler_last_run_timestamp_seconds "))
        let alarm = try #require(try daemon.store.activeAlarms().first)
        let ack = try httpRequest(port: port, "POST", "/api/v1/alarms/\(alarm.id)/ack",
                                  headers: ["Authorization": "Bearer daemon-test-token-123456"], body: Array(#"{"by": "carol"}"#.utf8))
        #expect(ack.status == 200, "\(ack.text)")

        running.cancel()
        try? await running.value
        #expect(!http.server.isRunning)
        #expect((try? httpRequest(port: port, "GET", "/healthz")) == nil, "the server still answers after the daemon stopped")
    }
}
