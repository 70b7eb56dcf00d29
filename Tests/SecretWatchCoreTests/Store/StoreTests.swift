import Foundation
import Testing
@testable import SecretWatchCore
import SecretWatchSQLite

@Suite("SQLite store: pragmas, migrations, transactions")
struct StoreTests {
    @Test("an empty database gets every migration, WAL mode, foreign keys and mode 0600")
    func freshDatabase() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("state/sw.db")
        let store = try Store(path: path)
        #expect(try store.schemaVersion() == Migrations.currentVersion)
        let mode = try store.withRawConnection { try $0.scalar("PRAGMA journal_mode")?.string }
        #expect(mode == "wal")
        // Foreign keys are on for the store's connection: an event for an alarm that does not exist is refused.
        #expect(throws: StoreError.self) {
            try store.transaction { tx in try tx.insertEvent(alarmId: 999, type: .raised, severity: .warning, detail: "x", at: Date()) }
        }
        let tables = try store.withRawConnection { db in
            try db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0["name"].string }
        }
        for table in ["alarm_events", "alarms", "credentials", "deliveries", "meta", "schema_migrations", "token_attempts"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        #expect(SecretReader.mode(ofFile: path) == 0o600)
    }

    @Test("a write waits for another connection's write lock instead of failing at once (busy timeout)")
    func busyTimeout() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        let holder = try SQLiteConnection(path: store.path)
        try holder.execute("BEGIN IMMEDIATE")
        // Released from a Dispatch thread: the store's write below blocks this one while it waits.
        let released = DispatchSemaphore(value: 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            try? holder.execute("COMMIT")
            released.signal()
        }
        // Without a busy timeout this write would fail at once with SQLITE_BUSY while the other connection holds the lock.
        try store.setMeta("waited", "yes")
        released.wait()
        #expect(try store.meta("waited") == "yes")
    }

    @Test("opening a database already at the current version applies nothing and keeps data")
    func idempotentMigrations() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("sw.db")
        do {
            let store = try Store(path: path)
            try store.syncCredentials([Credential(name: "a", displayName: nil, tenantId: "t.example.com", clientId: TestConfig.client,
                                                  mailbox: nil, expiresAt: Date.utc("2027-01-01"), hasSecret: false)], now: Date())
        }
        let store = try Store(path: path)
        #expect(try store.migrate(now: Date()) == [])
        #expect(try store.schemaVersion() == Migrations.currentVersion)
        let count = try store.withRawConnection { try $0.scalar("SELECT COUNT(*) FROM schema_migrations")?.int }
        #expect(count == Migrations.all.count)
        #expect(try store.credentials().map(\.name) == ["a"])
    }

    @Test("a database from a newer secretwatch is refused with a clear error")
    func newerSchemaRefused() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("sw.db")
        do {
            let store = try Store(path: path)
            try store.withRawConnection { try $0.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)") }
        }
        #expect {
            _ = try Store(path: path)
        } throws: { error in
            "\(error)".contains("database schema version 999 is newer than this secretwatch")
        }
    }

    @Test("a failing transaction leaves nothing behind")
    func rollback() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.transaction { tx in
                try tx.setMeta("k", "v")
                throw Boom()
            }
        }
        #expect(try store.meta("k") == nil)
    }

    @Test("the database refuses a second active alarm for the same kind and credential")
    func oneActiveAlarmPerKindAndCredential() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        let records = try store.syncCredentials([Credential(name: "a", displayName: nil, tenantId: "t.example.com",
                                                             clientId: TestConfig.client, mailbox: nil, expiresAt: nil, hasSecret: false)], now: Date())
        let id = records[0].id
        try store.transaction { tx in
            _ = try tx.insertAlarm(kind: .clientSecretExpired, credentialId: id, severity: .critical, thresholdDays: nil,
                                   expiresAt: nil, reason: nil, summary: "x", at: Date())
        }
        #expect {
            try store.transaction { tx in
                _ = try tx.insertAlarm(kind: .clientSecretExpired, credentialId: id, severity: .critical, thresholdDays: nil,
                                       expiresAt: nil, reason: nil, summary: "y", at: Date())
            }
        } throws: { error in
            (error as? StoreError)?.isConstraintViolation == true
        }
    }

    @Test("a statement the database refuses is a StoreError inside the transaction, which the body may handle and go on")
    func refusedStatementInsideATransaction() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        // No credential 999: the foreign key refuses the alarm.
        let caught = try store.transaction { tx -> StoreError? in
            defer { try? tx.setMeta("after", "kept") }
            do {
                _ = try tx.insertAlarm(kind: .clientSecretExpired, credentialId: 999, severity: .critical, thresholdDays: nil,
                                       expiresAt: nil, reason: nil, summary: "x", at: Date())
                return nil
            } catch let error as StoreError {
                return error
            }
        }
        let error = try #require(caught)
        #expect(error.isConstraintViolation && error.reason == nil, "\(error)")
        #expect(error.description.hasPrefix("SQLite error 787 while running INSERT INTO alarms"), "\(error)")
        #expect(try store.meta("after") == "kept")
        #expect(try store.activeAlarms().isEmpty)
    }

    @Test("credentials removed from the configuration are kept but unwatched")
    func syncMarksRemoved() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        func cred(_ name: String) -> Credential {
            Credential(name: name, displayName: nil, tenantId: "t.example.com", clientId: TestConfig.client, mailbox: nil,
                       expiresAt: Date.utc("2027-01-01"), hasSecret: false)
        }
        try store.syncCredentials([cred("a"), cred("b")], now: Date())
        let watched = try store.syncCredentials([cred("b")], now: Date())
        #expect(watched.map(\.name) == ["b"])
        #expect(try store.credentials(includeUnwatched: true).map { "\($0.name):\($0.watched)" } == ["a:false", "b:true"])
    }

    @Test("writeCredentials stores, updates and unwatches like syncCredentials, without reading the records back")
    func writeWithoutReadingBack() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        func cred(_ name: String, _ expires: String = "2027-01-01") -> Credential {
            Credential(name: name, displayName: nil, tenantId: "t.example.com", clientId: TestConfig.client, mailbox: nil,
                       expiresAt: Date.utc(expires), hasSecret: false)
        }
        try store.writeCredentials([cred("a"), cred("b"), cred("c")], now: Date())
        try store.writeCredentials([cred("b", "2028-06-30"), cred("d")], now: Date())
        #expect(try store.credentials(includeUnwatched: true).map { "\($0.name):\($0.watched)" }
                == ["a:false", "b:true", "c:false", "d:true"])
        #expect(try store.credential(named: "b")?.credential.expiresAt == Date.utc("2028-06-30"))
        #expect(try store.credential(named: "c")?.removedReason == "no longer in the configuration")
    }

    @Test("online backup copies a consistent database")
    func backup() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        try store.setMeta("hello", "world")
        try store.backup(to: dir.file("copy.db"))
        let copy = try Store(path: dir.file("copy.db"))
        #expect(try copy.meta("hello") == "world")
    }
}
