import Foundation
import Testing
@testable import SecretWatchCore

/// `secretwatch run` as a child process with its log in a file, stopped by SIGTERM.
final class DaemonProcess: @unchecked Sendable {
    private let process = Process()
    private let logPath: String

    init(binary: String, config: String, log: String) throws {
        logPath = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", config]
        process.environment = [:]
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.runExclusively()
    }

    deinit { if process.isRunning { process.terminate() } }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    func waitForLog(_ text: String, timeout: TimeInterval = Patience.seconds) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !log.contains(text) {
            guard process.isRunning, Date() < deadline else {
                throw TestFailure("the daemon never logged \"\(text)\" (running: \(process.isRunning)):\n\(log.suffix(1500))")
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    /// SIGTERM, then waits (on a Dispatch thread, bounded) for the process to end.
    func stop() async throws -> ProcessEnding {
        if !process.hasEnded { process.terminate() }
        return try await process.ending()
    }
}
