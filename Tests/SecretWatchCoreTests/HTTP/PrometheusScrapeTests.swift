import Foundation
import Testing
@testable import SecretWatchCore

/// A real Prometheus server (Debian's) scrapes the daemon's HTTP server every second with the shipped rules
/// loaded: the expiry metric arrives and the expiring-secret alert goes pending for the secret that expires
/// soon, not for the one that does not.
@Suite struct PrometheusScrapeTests {
    static let prometheusPath = "/usr/bin/prometheus"

    /// Polls `probe` every 250 ms until it returns a value or `seconds` pass (bounded wait, not a timing assertion).
    func eventually<T>(_ seconds: Double, _ probe: () throws -> T?) -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let value = try? probe() { return value }
            usleep(250_000)
        }
        return nil
    }

    @Test func prometheusScrapesTheExpiryAndRaisesTheAlert() throws {
        let s = try TestServer(now: Date())
        let soon = s.credential("soon", expiresInDays: 3, client: 1)
        let later = s.credential("later", expiresInDays: 100, client: 2)
        try s.store.syncCredentials([soon, later], now: s.clock.now())
        s.metrics.refreshFromStore()
        s.metrics.flush()

        let dir = s.directory.appendingPathComponent("prometheus")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let promPort = try freeLocalPort()
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - \(AlertRulesTests.rulesPath)
            scrape_configs:
              - job_name: secretwatch
                static_configs:
                  - targets: ["127.0.0.1:\(s.port)"]
            """
        try config.write(to: dir.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.prometheusPath)
        process.arguments = ["--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/data",
                             "--web.listen-address=127.0.0.1:\(promPort)", "--log.level=warn"]
        let log = dir.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        guard FileManager.default.isExecutableFile(atPath: Self.prometheusPath) else {
            Issue.record("\(Self.prometheusPath) is not installed: run scripts/install-deps.sh")
            return
        }
        try process.run()
        defer {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            try? logHandle.close()
        }
        let prometheusLog = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        let query = "secretwatch_client_secret_expiry_timestamp_seconds%7Bcredential%3D%22soon%22%7D"
        let sample = eventually(60) { () throws -> [String: Any]? in
            let body = try httpRequest(port: promPort, "GET", "/api/v1/query?query=\(query)").json()
            let result = (body["data"] as? [String: Any])?["result"] as? [[String: Any]]
            return result?.first
        }
        let found = try #require(sample, "Prometheus never scraped the expiry metric; its log:\n\(prometheusLog())")
        let labels = found["metric"] as? [String: String]
        #expect(labels?["tenant_id"] == TestServer.tenant)
        #expect(labels?["job"] == "secretwatch")
        let value = ((found["value"] as? [Any])?.last as? String).flatMap(Double.init)
        #expect(value == soon.expiresAt?.timeIntervalSince1970)

        let alert = eventually(60) { () throws -> [String: Any]? in
            let body = try httpRequest(port: promPort, "GET", "/api/v1/alerts").json()
            let alerts = (body["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
            return alerts.first {
                let l = $0["labels"] as? [String: String]
                return l?["alertname"] == "SecretWatchClientSecretExpiringCritical" && l?["credential"] == "soon"
            }
        }
        let raised = try #require(alert, "the expiring-secret alert never appeared; Prometheus log:\n\(prometheusLog())")
        #expect(["pending", "firing"].contains(raised["state"] as? String ?? ""))
        let all = try httpRequest(port: promPort, "GET", "/api/v1/alerts").json()
        let alerts = (all["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
        #expect(!alerts.contains { ($0["labels"] as? [String: String])?["credential"] == "later" }, "an alert for a secret 100 days out")
    }
}
