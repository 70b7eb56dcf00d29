import Foundation
import Testing
@testable import SecretWatchCore

/// How long a test waits for something another task or process will do (a daemon starting, a mail arriving, a
/// worker backing off). A bound for failure, never a timing assertion: the whole suite runs its tests, daemons and
/// real peers at once on two cores, so a step that takes milliseconds alone can wait half a minute for CPU. A wait
/// that ends early costs nothing; one that is too short fails a correct build.
enum Patience {
    static let seconds: TimeInterval = 240
    static var deadline: Date { Date().addingTimeInterval(seconds) }
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL
    var path: String { url.path }

    init(_ name: String = "secretwatch-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ content: String, mode: Int = 0o644) throws -> String {
        let path = file(name)
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }
}

enum TestPaths {
    /// The package root, found from this source file (tests run from the source tree).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func testsDirectory(_ sub: String) -> URL {
        packageRoot.appendingPathComponent("Tests/SecretWatchCoreTests").appendingPathComponent(sub)
    }

    /// The `secretwatch` executable built next to the test bundle.
    static var executable: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("secretwatch").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let fallback = packageRoot.appendingPathComponent(".build/debug/secretwatch").path
        return fallback
    }
}

/// The result of running a subprocess to completion.
struct ProcessOutput: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    /// The process was ended by a signal (a trap is SIGILL or SIGTRAP); `status` is then the signal number.
    var signalled = false
}

/// Runs a program with arguments and environment; stdin is empty. Bounded by `timeout` seconds; the output is
/// what it wrote until it exited. (Waits on a Dispatch thread, never on the cooperative pool: see `runProgram`.)
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                timeout: TimeInterval = Patience.seconds) async throws -> ProcessOutput {
    try await BlockingExecutor.run { try runProcessBlocking(executable, arguments, environment: environment, timeout: timeout) }
}

private func runProcessBlocking(_ executable: String, _ arguments: [String], environment: [String: String]?,
                                timeout: TimeInterval) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.standardInput = FileHandle.nullDevice
    let (out, err) = try process.runExclusively { () -> (Pipe, Pipe) in
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        return (out, err)
    }
    // Both pipes are read as the child writes, so a chatty child never blocks on a full pipe.
    let stdout = PipeCollector(out.fileHandleForReading), stderr = PipeCollector(err.fileHandleForReading)
    let ending = try process.waitForEnding(within: timeout)
    let endOfFile = Date().addingTimeInterval(PipeCollector.afterExit)
    func text(_ collector: PipeCollector) -> String {
        String(decoding: collector.collected(waitingAtMost: max(0, endOfFile.timeIntervalSinceNow)), as: UTF8.self)
    }
    return ProcessOutput(status: ending.status, stdout: text(stdout), stderr: text(stderr), signalled: ending.isSignal)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum TestConfig {
    static let tenant = "0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91"
    static let client = "5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a"
    static let otherClient = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

    /// A token endpoint that refuses connections at once (port 1 on loopback), so tests that are not about tokens
    /// never wait on DNS or the network.
    static let refusingTokenEndpoint = "https://127.0.0.1:1/token"

    /// A minimal valid configuration document; the SMTP secret expires at `expires`.
    static func yaml(database: String, expires: Date, secretFile: String = "secret.txt", extra: String = "") -> String {
        """
        database: \(database)
        scheduler:
          interval: 1h
        smtp:
          auth:
            mailbox: sender@contoso.com
            tenant_id: \(tenant)
            client_id: \(client)
            client_secret_file: \(secretFile)
            secret_expires: \(Timestamps.rfc3339(expires))
            token_endpoint: \(refusingTokenEndpoint)
        notifications:
          to: [admin@contoso.com]
        \(extra)
        """
    }

    /// A database at `path` with one credential, "app", expiring in 3 days and its active expiry alarm; the
    /// alarm's id.
    static func expiringAlarm(in path: String) throws -> Int64 {
        let store = try Store(path: path)
        let now = Date()
        try store.syncCredentials([Credential(name: "app", displayName: nil, tenantId: tenant, clientId: client,
                                              mailbox: nil, expiresAt: now.addingTimeInterval(3 * 86400), hasSecret: false)], now: now)
        try ExpiryEvaluator(engine: AlarmEngine(store: store), policy: AlarmPolicy()).evaluate(now: now)
        return try #require(try store.activeAlarms().first).id
    }

    /// Writes a config with a 0600 secret file into `directory` and loads it.
    static func load(in directory: TemporaryDirectory, expires: Date, extra: String = "",
                     secret: String = "test-client-secret-value") throws -> Config {
        try directory.write("secret.txt", secret + "\n", mode: 0o600)
        let path = try directory.write("secretwatch.yml", yaml(database: directory.file("sw.db"), expires: expires, extra: extra))
        return try ConfigLoader().load(path: path).config
    }
}

extension Date {
    static func utc(_ text: String) -> Date { Timestamps.parse(text)! }
}
