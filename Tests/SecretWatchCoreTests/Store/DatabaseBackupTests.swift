import Foundation
import Testing
import SecretWatchSQLite
@testable import SecretWatchCore

/// `DatabaseBackup`: a consistent, checked copy through SQLite's online backup API, beside a writer; an existing
/// file is only replaced when asked; a failed backup leaves nothing behind.
@Suite("Store: database backup")
struct DatabaseBackupTests {
    static func credential(_ name: String) -> Credential {
        Credential(name: name, displayName: "display \(name)", tenantId: TestConfig.tenant, clientId: TestConfig.client,
                   mailbox: nil, expiresAt: Date.utc("2027-01-01"), hasSecret: true)
    }

    /// Every row of every table, as text, in rowid order.
    static func dump(_ path: String) throws -> [String] {
        let db = try SQLiteConnection(path: path)
        let tables = try db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0.values.first?.string }
        var rows: [String] = []
        for table in tables where !table.hasPrefix("sqlite_") {
            for row in try db.query("SELECT * FROM \"\(table)\" ORDER BY rowid") {
                rows.append("\(table): \(row.values.map { "\($0)" }.joined(separator: "|"))")
            }
        }
        return rows
    }

    static func leftovers(in dir: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".partial-") }
    }

    @Test("the copy holds exactly the rows of the database and passes integrity_check")
    func rowsEqual() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        try store.syncCredentials([Self.credential("a"), Self.credential("b")], now: Date())
        try store.setMeta("hello", "world")
        let outcome = try DatabaseBackup(source: store.path, destination: dir.file("copy.db"), overwrite: false).run()
        #expect(outcome.path == dir.file("copy.db"))
        #expect(outcome.bytes > 0)
        #expect(outcome.schemaVersion == Migrations.currentVersion)
        #expect(try Store.integrityCheck(path: dir.file("copy.db")) == ["ok"])
        let original = try Self.dump(store.path)
        #expect(original.count > 3)
        #expect(try Self.dump(dir.file("copy.db")) == original)
        #expect(try Self.leftovers(in: dir).isEmpty)
    }

    @Test("a copy taken while another connection keeps committing is one commit's state")
    func consistentWhileWriting() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("sw.db")
        let store = try Store(path: path)
        // Enough pages that the copy takes a while, then a writer that commits a pair of rows per transaction.
        for i in 0..<200 { try store.setMeta("filler-\(i)", String(repeating: "x", count: 4000)) }
        let writer = try Store(path: path)
        let stop = LockedBox(false)
        let written = Task.detached {
            await BlockingExecutor.run { () -> Int in
                var pairs = 0
                while !stop.get() {
                    _ = try? writer.transaction { tx in
                        try tx.setMeta("a-\(pairs)", "\(pairs)")
                        try tx.setMeta("b-\(pairs)", "\(pairs)")
                    }
                    pairs += 1
                }
                return pairs
            }
        }
        try await Task.sleep(nanoseconds: 50_000_000)
        var copies: [String] = []
        for n in 0..<3 {
            let copy = dir.file("copy-\(n).db")
            _ = try await BlockingExecutor.run { try DatabaseBackup(source: path, destination: copy, overwrite: false).run() }
            copies.append(copy)
        }
        stop.set(true)
        let pairs = await written.value
        #expect(pairs > 0)
        for copy in copies {
            #expect(try Store.integrityCheck(path: copy) == ["ok"])
            let db = try SQLiteConnection(path: copy)
            let a = try db.scalar("SELECT COUNT(*) FROM meta WHERE key LIKE 'a-%'")?.int ?? -1
            let b = try db.scalar("SELECT COUNT(*) FROM meta WHERE key LIKE 'b-%'")?.int ?? -2
            #expect(a == b, "\(copy): \(a) a-rows but \(b) b-rows: the copy mixes two commits")
        }
    }

    @Test("an existing file is refused and left as it was; --force replaces it")
    func existingFile() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        try store.setMeta("hello", "world")
        let existing = try dir.write("copy.db", "not mine to replace")
        let refused = DatabaseBackup(source: store.path, destination: existing, overwrite: false)
        let error = try #require(throws: DatabaseBackupError.self) { try refused.run() }
        #expect(error.reason == "destination_exists")
        #expect(error.description == "\(existing) already exists; choose another name, or pass --force to replace it")
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "not mine to replace")
        #expect(try Self.leftovers(in: dir).isEmpty)

        _ = try DatabaseBackup(source: store.path, destination: existing, overwrite: true).run()
        #expect(try Store.integrityCheck(path: existing) == ["ok"])
        #expect(try Store(path: existing).meta("hello") == "world")
        #expect(try Self.leftovers(in: dir).isEmpty)
    }

    @Test("a missing database is named and creates nothing")
    func missingSource() throws {
        let dir = TemporaryDirectory()
        let backup = DatabaseBackup(source: dir.file("absent.db"), destination: dir.file("copy.db"), overwrite: false)
        let error = try #require(throws: DatabaseBackupError.self) { try backup.run() }
        #expect(error.reason == "source_missing")
        #expect(error.description.hasPrefix("database \(dir.file("absent.db")) does not exist"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("a destination in a missing directory is named")
    func missingDirectory() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        let backup = DatabaseBackup(source: store.path, destination: dir.file("nowhere/copy.db"), overwrite: false)
        let error = try #require(throws: DatabaseBackupError.self) { try backup.run() }
        #expect(error.reason == "no_directory")
        #expect(error.description == "directory \(dir.file("nowhere")) does not exist; create it first")
    }
}
