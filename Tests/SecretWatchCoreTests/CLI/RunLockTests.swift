import Foundation
import Testing
@testable import SecretWatchCore

/// One daemon per database: a second `run` (or `run --once`) is refused naming the first one's PID, while the
/// reading commands, `ack` and `send-test` keep working; a daemon killed with SIGKILL leaves nothing that blocks a restart.
@Suite("CLI: one daemon per database")
struct RunLockTests {
    /// A configuration whose SMTP secret expires in 10 days, with its own HTTP port.
    static func config(in dir: TemporaryDirectory) throws -> String {
        try dir.write("secret.txt", "lock-test-secret-4711\n", mode: 0o600)
        let http = "http:\n  listen: 127.0.0.1:\(EndToEndHarness.freePort())"
        return try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date().addingTimeInterval(10 * 86400 + 600),
                                                                extra: http))
    }

    static func run(_ arguments: [String]) async throws -> ProcessOutput {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SECRETWATCH_CONFIG")
        return try await runProcess(TestPaths.executable, arguments, environment: environment)
    }

    @Test("a second run and run --once exit 1 naming the first daemon's pid; status, alarms, ack and send-test still work")
    func secondDaemonRefused() async throws {
        let dir = TemporaryDirectory()
        let config = try Self.config(in: dir)
        let database = dir.file("sw.db")
        let first = try BackgroundDaemon(config: config, logPath: dir.file("first.log"))
        try await first.waitUntil("the first pass raised the expiry alarm") { first.log.contains("msg=\"alarm raised\"") }

        let expected = "another secretwatch (pid \(first.pid)) is running on \(database) (it holds \(database).lock)"
        let second = try await Self.run(["run", "--config", config])
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains(expected), "\(second.stderr)")
        let once = try await Self.run(["run", "--once", "--config", config])
        #expect(once.status == 1, "\(once.stderr)")
        #expect(once.stderr.contains(expected), "\(once.stderr)")

        let status = try await Self.run(["status", "--config", config])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("client_secret_expiring"))
        let alarms = try await Self.run(["alarms", "--active", "--database", database])
        #expect(alarms.status == 0, "\(alarms.stderr)")
        let alarmId = try #require(try Store(path: database).activeAlarms().first { $0.kind == .clientSecretExpiring }?.id)
        let ack = try await Self.run(["ack", "\(alarmId)", "--by", "lock-test", "--config", config])
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(ack.stdout.contains("acknowledged by lock-test"))
        // send-test queues through SQLite's own locking (the token endpoint refuses, so it is not delivered).
        let sendTest = try await Self.run(["send-test", "--to", "admin@contoso.com", "--config", config])
        #expect(sendTest.stdout.contains("queued test mail"), "\(sendTest.stdout)\(sendTest.stderr)")
        #expect(!sendTest.stderr.contains("another secretwatch"))

        #expect(first.process.isRunning, "the first daemon stopped: \(first.log.suffix(2000))")
        #expect(try await first.stop() == 0)
        #expect(first.log.components(separatedBy: "msg=\"alarm raised\"").count == 2, "one pass raised the alarm once")
    }

    @Test("after kill -9 of the daemon a new run starts at once and takes the lock")
    func restartAfterSIGKILL() async throws {
        let dir = TemporaryDirectory()
        let config = try Self.config(in: dir)
        let lockFile = DatabaseLock.lockPath(database: dir.file("sw.db"))
        let first = try BackgroundDaemon(config: config, logPath: dir.file("first.log"))
        try await first.waitUntil("the first pass raised the expiry alarm") { first.log.contains("msg=\"alarm raised\"") }
        #expect(try String(contentsOfFile: lockFile, encoding: .utf8) == "\(first.pid)\n")
        try await first.stop(SIGKILL)

        let next = try BackgroundDaemon(config: config, logPath: dir.file("next.log"))
        try await next.waitUntil("the new daemon wrote its pid to \(lockFile)") {
            try String(contentsOfFile: lockFile, encoding: .utf8) == "\(next.pid)\n"
        }
        try await next.waitUntil("the new daemon started") { next.log.contains("secretwatch starting") }
        #expect(next.process.isRunning)
        #expect(try await next.stop() == 0, "\(next.log.suffix(2000))")
    }
}
