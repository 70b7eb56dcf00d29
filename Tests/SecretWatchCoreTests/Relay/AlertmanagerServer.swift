import Foundation
import Testing
@testable import SecretWatchCore

/// A private Alertmanager (Debian's `prometheus-alertmanager` 0.25) on a free loopback port, with one route to a
/// webhook receiver `ops` pointing at `webhookURL` and sending the bearer token read from `credentialsFile`, as
/// docs/relay.md configures it. Clustering is off and its state lives in `directory`. Alerts are added with the
/// real `amtool` or posted to its API v2. Stopped on `stop()` or deinit.
final class AlertmanagerServer: @unchecked Sendable {
    // `@unchecked Sendable`: created, driven and stopped by one test.
    static let executable = "/usr/bin/prometheus-alertmanager"
    static let amtool = "/usr/bin/amtool"
    static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: executable) && FileManager.default.isExecutableFile(atPath: amtool)
    }
    static let skipReason: Comment = "prometheus-alertmanager is not installed: run scripts/install-deps.sh test (Debian package prometheus-alertmanager)"

    let port: Int
    let directory: URL
    private let process = Process()
    private let logHandle: FileHandle

    var url: String { "http://127.0.0.1:\(port)" }
    var logPath: String { directory.appendingPathComponent("alertmanager.log").path }

    /// `groupInterval` below 10 s leaves Alertmanager 0.25's notification timeout at its minimum, 10 s (a
    /// webhook has no timeout of its own before 0.28): an answer slower than that is a failed notification,
    /// sent again at the next group interval. `resolveTimeout` resolves an alert added without an end that long
    /// after it was last added: long enough for a test's retries, short beside Alertmanager's 5 minutes.
    init(webhookURL: String, credentialsFile: String?, directory: URL, groupWait: String = "1s",
         groupInterval: String = "2s", resolveTimeout: String = "1m", maxAlerts: Int = 0) throws {
        guard Self.isInstalled else { throw TestFailure("\(Self.skipReason)") }
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try freeLocalPort()
        let authorization = credentialsFile.map {
            "\n        http_config:\n          authorization:\n            credentials_file: \($0)"
        } ?? ""
        try """
            global:
              resolve_timeout: \(resolveTimeout)
            route:
              receiver: ops
              group_by: [alertname]
              group_wait: \(groupWait)
              group_interval: \(groupInterval)
              repeat_interval: 4h
            receivers:
              - name: ops
                webhook_configs:
                  - url: \(webhookURL)
                    send_resolved: true
                    max_alerts: \(maxAlerts)\(authorization)
            """.write(to: directory.appendingPathComponent("alertmanager.yml"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["--config.file=\(directory.path)/alertmanager.yml", "--storage.path=\(directory.path)/data",
                             "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
                             "--web.external-url=http://alertmanager.test:\(port)", "--log.level=debug"]
        let log = directory.appendingPathComponent("alertmanager.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        try process.runExclusively()
    }

    deinit {
        process.end(grace: 0)
        try? logHandle.close()
    }

    /// SIGTERM, then the wait on a Dispatch thread (SIGKILL after 10 s).
    func stop() async {
        await BlockingExecutor.run { [self] () -> Void in process.end(grace: 10) }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until `/-/ready` answers 200 (a bounded wait, polled asynchronously).
    func waitUntilReady(timeout: TimeInterval = 60) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning { throw TestFailure("alertmanager exited (status \(process.terminationStatus)):\n\(log.suffix(2000))") }
            if (try? httpRequest(port: port, "GET", "/-/ready").status) == 200 { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw TestFailure("alertmanager not ready after \(Int(timeout)) s:\n\(log.suffix(2000))")
    }

    /// `amtool alert add`: labels as `name=value`, annotations likewise; `end` in the past resolves the alert.
    func addAlert(_ labels: [String], annotations: [String] = [], generatorURL: String? = nil,
                  start: Date? = nil, end: Date? = nil) async throws {
        var arguments = ["alert", "add", "--alertmanager.url=\(url)", "--no-version-check"]
        arguments += annotations.map { "--annotation=\($0)" }
        if let generatorURL { arguments.append("--generator-url=\(generatorURL)") }
        if let start { arguments.append("--start=\(Timestamps.rfc3339(start))") }
        if let end { arguments.append("--end=\(Timestamps.rfc3339(end))") }
        let result = try await runProgram(Self.amtool, arguments + labels)
        guard result.status == 0 else { throw TestFailure("amtool \(arguments.joined(separator: " ")): \(result.output)") }
    }

    /// Posts alerts (a JSON array in API v2's form) to `/api/v2/alerts`, for alerts too large for a command line.
    func postAlerts(_ json: [UInt8]) throws {
        let answer = try httpRequest(port: port, "POST", "/api/v2/alerts", headers: ["Content-Type": "application/json"], body: json)
        guard answer.status == 200 else { throw TestFailure("POST /api/v2/alerts: \(answer.status) \(answer.text)") }
    }

    /// The value of one sample of Alertmanager's own /metrics, e.g.
    /// `alertmanager_notifications_failed_total{integration="webhook"}`; 0 when absent.
    func metric(_ series: String) throws -> Double {
        let text = try httpRequest(port: port, "GET", "/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? 0
        }
        return 0
    }

    static let webhookNotifications = #"alertmanager_notifications_total{integration="webhook"}"#
    static let webhookFailures = #"alertmanager_notifications_failed_total{integration="webhook"}"#
}
