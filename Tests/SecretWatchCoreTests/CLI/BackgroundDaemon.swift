import Foundation
@testable import SecretWatchCore

/// `secretwatch run --config FILE` as a background subprocess, its output in a log file. Waits happen on
/// Dispatch threads (never the cooperative pool); deinit kills what is still running.
final class BackgroundDaemon: @unchecked Sendable {
    // `@unchecked Sendable`: one test drives it from one task; `process` is never replaced.
    let process = Process()
    let logPath: String

    /// `environment`: added to the test's own environment.
    init(config: String, logPath: String, environment: [String: String] = [:]) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: TestPaths.executable)
        process.arguments = ["run", "--config", config]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        try process.runExclusively()
        try log.close()
    }

    deinit { process.end(grace: 0) }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the exit (bounded); returns the termination status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) async throws -> Int32 {
        if !process.hasEnded { kill(pid, signal) }
        return try await process.ending().status
    }

    /// Polls `condition` every 100 ms until it holds (bounded, not a timing assertion); fails when the daemon
    /// exits meanwhile.
    func waitUntil(_ what: String, timeout: TimeInterval = Patience.seconds, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            if !process.isRunning {
                throw TestFailure("secretwatch run exited (status \(process.terminationStatus)) while waiting for \(what); log:\n\(log.suffix(3000))")
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        // One last look: a loop starved of the cooperative pool by other tests may not have polled at all.
        if (try? condition()) == true { return }
        throw TestFailure("timed out after \(Int(timeout)) s waiting for \(what); log:\n\(log.suffix(3000))")
    }
}
