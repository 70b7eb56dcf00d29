import Foundation
import Testing

/// A real Prometheus server (Debian's `/usr/bin/prometheus`) on a free loopback port, scraping `target` every
/// second with the shipped alert rules loaded; its data and log live in `directory`. Stopped on deinit.
final class PrometheusServer: @unchecked Sendable {
    // `@unchecked Sendable`: created, queried and stopped by one test.
    static let executable = "/usr/bin/prometheus"

    let port: Int
    let directory: URL
    private let process = Process()
    private let logHandle: FileHandle

    init(target: String, directory: URL, rules: String = AlertRulesTests.rulesPath) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw TestFailure("\(Self.executable) is not installed: run scripts/install-deps.sh")
        }
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try freeLocalPort()
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - \(rules)
            scrape_configs:
              - job_name: secretwatch
                static_configs:
                  - targets: ["\(target)"]
            """.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["--config.file=\(directory.path)/prometheus.yml", "--storage.tsdb.path=\(directory.path)/data",
                             "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
        let log = directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.runExclusively()
    }

    deinit { stop() }

    func stop() {
        guard !process.hasEnded else { return }
        process.end(grace: 10)
        try? logHandle.close()
    }

    var log: String { (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? "" }

    /// The first sample of an instant query (PromQL, URL-encoded here), or nil.
    func firstSample(_ promql: String) throws -> [String: Any]? {
        let query = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
        let body = try httpRequest(port: port, "GET", "/api/v1/query?query=\(query)").json()
        return ((body["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first
    }

    /// Every alert Prometheus holds (pending or firing).
    func alerts() throws -> [[String: Any]] {
        let body = try httpRequest(port: port, "GET", "/api/v1/alerts").json()
        return (body["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
    }

    /// Polls `probe` every 250 ms until it returns a value or `seconds` pass (a bounded wait, not a timing
    /// assertion). Async, so the wait never holds a cooperative thread other tests need.
    static func eventually<T>(_ seconds: Double, _ probe: () throws -> T?) async -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let value = try? probe() { return value }
            try? await Task.sleep(nanoseconds: 250_000_000)
        }
        return nil
    }
}
