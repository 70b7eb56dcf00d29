import Foundation
import Testing
import SecretWatchSQLite
@testable import SecretWatchCore

/// `secretwatch backup FILE` beside a running daemon: the copy passes integrity_check, holds the daemon's rows and
/// never the secret; an existing FILE is refused unless --force.
@Suite("CLI: secretwatch backup")
struct BackupCommandTests {
    static let canary = "backup-canary-secret-3f9a1c7e"

    static func config(in dir: TemporaryDirectory) throws -> String {
        try dir.write("secret.txt", canary + "\n", mode: 0o600)
        let http = "http:\n  listen: 127.0.0.1:\(EndToEndHarness.freePort())"
        return try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date().addingTimeInterval(10 * 86400 + 600),
                                                                extra: http))
    }

    @Test("while the daemon runs (holding its lock): exit 0, integrity ok, the daemon's rows, no secret")
    func backupBesideDaemon() async throws {
        let dir = TemporaryDirectory()
        let config = try Self.config(in: dir)
        let daemon = try BackgroundDaemon(config: config, logPath: dir.file("daemon.log"))
        try await daemon.waitUntil("the first pass raised the expiry alarm") { daemon.log.contains("msg=\"alarm raised\"") }

        let copy = dir.file("backup.db")
        let result = try await RunLockTests.run(["backup", copy, "--config", config])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("written to \(copy)"), "\(result.stdout)")
        #expect(result.stdout.contains("integrity_check ok"))
        #expect(daemon.process.isRunning, "the daemon stopped: \(daemon.log.suffix(2000))")

        #expect(try Store.integrityCheck(path: copy) == ["ok"])
        let restored = try Store(path: copy)
        #expect(try restored.activeAlarms().contains { $0.kind == .clientSecretExpiring })
        #expect(try restored.credentials(includeUnwatched: true).map(\.name) == ["smtp"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: copy))
        #expect(bytes.range(of: Data(Self.canary.utf8)) == nil, "the backup holds the client secret")
        #expect(try await daemon.stop() == 0)
    }

    @Test("an existing FILE: exit 1 naming --force, the file untouched; with --force it is replaced")
    func existingFile() async throws {
        let dir = TemporaryDirectory()
        let config = try Self.config(in: dir)
        _ = try Store(path: dir.file("sw.db"))
        let existing = try dir.write("backup.db", "keep me")
        let refused = try await RunLockTests.run(["backup", existing, "--config", config])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error: \(existing) already exists; choose another name, or pass --force to replace it"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")

        let forced = try await RunLockTests.run(["backup", existing, "--force", "--config", config])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Store.integrityCheck(path: existing) == ["ok"])
    }

    @Test("no database yet: exit 1 naming it")
    func missingDatabase() async throws {
        let dir = TemporaryDirectory()
        let result = try await RunLockTests.run(["backup", dir.file("backup.db"), "--database", dir.file("absent.db")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: database \(dir.file("absent.db")) does not exist"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("backup.db")))
    }
}
