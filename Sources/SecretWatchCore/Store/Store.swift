import FoundationEssentials
import Glibc
import Synchronization
internal import SecretWatchSQLite

/// The one SQLite database: WAL mode, busy timeout, foreign keys, versioned migrations at open.
///
/// `@unchecked Sendable`: the connection is only touched while `lock` is held, so units of work from
/// different threads (scheduler, CLI, HTTP handlers) never interleave their statements.
public final class Store: @unchecked Sendable {
    public let path: String
    /// Whether the database takes writes: every operation through `read` and `transaction` reports to it.
    public let health: StoreHealth
    private let connection: SQLiteConnection
    private let lock = Mutex(())
    /// Writes to the credentials table by this process (only touched with `lock` held).
    private var credentialWrites: UInt64 = 0

    /// Opens the database, creating it (mode 0600) when absent, and brings its schema up to date.
    public init(path: String, now: Date = Date(), health: StoreHealth = StoreHealth()) throws {
        self.path = path
        self.health = health
        connection = try StoreError.converting { try Self.open(path) }
        try migrate(now: now)
    }

    /// Opens the connection and sets it up: busy timeout, WAL, synchronous commits, page cache, foreign keys.
    private static func open(_ path: String) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path)
        try connection.execute("PRAGMA busy_timeout = 5000")
        if path != ":memory:" {
            let mode = try switchToWAL(connection)
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: 1, message: "journal_mode is \(mode ?? "unknown")", context: "switching \(path) to WAL mode")
            }
        }
        // WAL + NORMAL: every commit survives a crash or kill -9 of the process; after a power loss the last
        // commits may roll back, but never half: an alarm and its queued e-mail are one transaction, so the next
        // pass raises and queues them again, and a delivery whose "sent" mark was lost is sent once more (same
        // Message-ID). FULL would add an fsync to every commit — two per delivered mail.
        try connection.execute("PRAGMA synchronous = NORMAL")
        // 8 MiB of page cache (SQLite's default is 2 MiB): the outbox and the alarm history stay in memory.
        try connection.execute("PRAGMA cache_size = -8192")
        try connection.execute("PRAGMA foreign_keys = ON")
        return connection
    }

    /// Switches a database to WAL mode; returns the mode now in force. Switching needs an exclusive lock and
    /// SQLite answers SQLITE_BUSY at once, without its busy handler, while another connection switches the same
    /// fresh database: retried for up to the busy timeout (after that one switch, every open finds WAL already).
    private static func switchToWAL(_ connection: SQLiteConnection) throws -> String? {
        let deadline = Date().addingTimeInterval(5)
        while true {
            do {
                return try connection.scalar("PRAGMA journal_mode = WAL")?.string
            } catch let error as SQLiteError where error.isBusy && Date() < deadline {
                usleep(10_000)
            }
        }
    }

    /// Runs `body` outside a transaction, holding the lock (single statements that write commit on their own).
    public func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        let committed = CommitActions()
        let result = try locked { try observed { try body(StoreTransaction(connection, committed: committed)) } }
        committed.run()
        return result
    }

    /// Runs `body` in one IMMEDIATE transaction: all of its writes land, or none do.
    public func transaction<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        let committed = CommitActions()
        let result = try locked { try observed {
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let result = try body(StoreTransaction(connection, committed: committed))
                try connection.execute("COMMIT")
                return result
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        } }
        committed.run()
        return result
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock { _ in try body() }
    }

    /// Tells `health` how a unit of work went (call with the lock held): a storage failure, or rows written and
    /// committed. A read, or a commit that changed nothing, says nothing about whether writes work. A SQLite
    /// error leaves as a `StoreError`.
    private func observed<T>(_ body: () throws -> T) throws -> T {
        let before = connection.totalChanges
        do {
            let result = try body()
            if connection.totalChanges != before { health.wrote() }
            return result
        } catch let error as SQLiteError {
            let failure = StoreError(error)
            health.failed(failure)
            throw failure
        } catch let error as StoreError {
            health.failed(error)
            throw error
        }
    }

    /// Counts a write to the credentials table (call inside `transaction`, which holds the lock).
    func noteCredentialsWritten() {
        credentialWrites &+= 1
    }

    /// Changes whenever the watched credentials may have changed: a write here, or any commit by another
    /// connection (SQLite's `data_version`). Readers that keep something derived from the credentials compare
    /// it to skip re-reading 100,000 rows when nothing changed.
    public func credentialsVersion() throws -> CredentialsVersion {
        try read { tx in CredentialsVersion(writes: credentialWrites, dataVersion: try tx.dataVersion()) }
    }

    /// Writes a consistent copy of the database to `destination` while the daemon runs. The database never
    /// holds a client secret or a token, so neither does the copy.
    public func backup(to destination: String) throws {
        let target = try StoreError.converting { try SQLiteConnection(path: destination) }
        try read { tx in try tx.backup(to: target) }
    }

    /// `PRAGMA integrity_check` of the database at `path`: `["ok"]`, or the problems SQLite found.
    public static func integrityCheck(path: String) throws -> [String] {
        let connection = try StoreError.converting { try SQLiteConnection(path: path) }
        return try StoreError.converting { try connection.query("PRAGMA integrity_check").compactMap { $0.values.first?.string } }
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try read { tx in try tx.setMeta(key, value) }
    }

    public func meta(_ key: String) throws -> String? {
        try read { tx in try tx.meta(key) }
    }
}

/// The schema version and the migrations that bring a database to the current one (`Migrations`).
extension Store {
    /// The schema version the database is at.
    public func schemaVersion() throws -> Int {
        try read { tx in try tx.schemaVersion() }
    }

    /// Applies every migration the database has not seen; returns the versions applied now.
    ///
    /// Each migration runs in its own IMMEDIATE transaction, which first reads the version again: of two
    /// connections opening a fresh database at once (a daemon and `send-test`, two processes started together),
    /// the second waits for the first's write lock (`busy_timeout`), then finds the migration applied and skips it.
    /// A database already at the current version is only read.
    @discardableResult
    public func migrate(now: Date) throws -> [Int] {
        if try schemaVersion() == Migrations.currentVersion { return [] }
        var applied: [Int] = []
        while let version = try transaction({ tx in try tx.applyNextMigration(now: now, path: path) }) {
            applied.append(version)
        }
        return applied
    }
}

extension StoreTransaction {
    /// The version the database is at; 0 before the first migration (also when `schema_migrations` does not exist yet).
    func schemaVersion() throws -> Int {
        let exists = try scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")?.int ?? 0
        guard exists > 0 else { return 0 }
        return try scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")?.int ?? 0
    }

    /// Inside the caller's transaction: applies the first migration newer than the database; returns its version,
    /// or nil when the database is up to date.
    func applyNextMigration(now: Date, path: String) throws -> Int? {
        try execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)
            """)
        let current = try schemaVersion()
        if current > Migrations.currentVersion {
            throw StoreError(SQLiteError(code: 1, message: "database schema version \(current) is newer than this secretwatch (\(Migrations.currentVersion)); upgrade secretwatch",
                                         context: "checking the schema of \(path)"))
        }
        guard let migration = Migrations.all.first(where: { $0.version > current }) else { return nil }
        try execute(migration.sql)
        try run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [migration.version, migration.name, now])
        return migration.version
    }
}

/// See `Store.credentialsVersion()`.
public struct CredentialsVersion: Sendable, Equatable {
    let writes: UInt64
    let dataVersion: Int64
}
