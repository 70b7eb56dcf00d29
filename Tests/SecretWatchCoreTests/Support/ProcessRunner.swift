import Foundation
@testable import SecretWatchCore

/// Runs a program to completion (killed after `timeout` seconds), feeding `input` on stdin; returns its exit
/// status and combined output. The wait happens on a Dispatch thread: a test that waits for a subprocess on
/// Swift's cooperative pool (2 threads here) stalls every other test's async work for as long (promtool's rule
/// tests take 7–20 s). The output is what the program wrote until
/// it exited: end-of-file is waited for a few seconds at most (`PipeCollector`), since a process the program left
/// behind may hold the pipe open for much longer.
func runProgram(_ path: String, _ arguments: [String], input: String? = nil, timeout: TimeInterval = Patience.seconds) async throws -> (status: Int32, output: String) {
    try await BlockingExecutor.run { try runProgramBlocking(path, arguments, input: input, timeout: timeout) }
}

private func runProgramBlocking(_ path: String, _ arguments: [String], input: String?, timeout: TimeInterval) throws -> (status: Int32, output: String) {
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw TestHTTPError("\(path) is not installed: run scripts/install-deps.sh (Debian package prometheus)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let (output, stdin) = try process.runExclusively { () -> (Pipe, Pipe) in
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        return (output, stdin)
    }
    let collected = PipeCollector(output.fileHandleForReading)
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let ending = try process.waitForEnding(within: timeout)
    return (ending.status, String(decoding: collected.collected(), as: UTF8.self))
}

final class LockedBox<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
}

/// The repository root (for the shipped artefacts under alerts/ and dashboards/).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

let promtoolPath = "/usr/bin/promtool"
