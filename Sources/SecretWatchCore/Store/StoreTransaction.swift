import FoundationEssentials
internal import SecretWatchSQLite

/// One unit of work on the database. `Store.transaction` hands it out inside an IMMEDIATE transaction (all of its
/// writes land, or none do), `Store.read` outside one (a single statement that writes commits on its own); both
/// hold the store's lock while it is in use. Its methods are the only way to read or write rows: they sit by
/// concept next to the `Store` methods they serve (`Store+Alarms.swift`, `Store+Outbox.swift`, ...), so an alarm
/// change, its history event and its e-mail can land in one transaction. Valid only inside the closure it was
/// handed to.
public struct StoreTransaction {
    private let connection: SQLiteConnection
    private let committed: CommitActions

    init(_ connection: SQLiteConnection, committed: CommitActions) {
        self.connection = connection
        self.committed = committed
    }

    /// Runs `action` once this unit of work has committed, after the store's lock is released; never when it rolls
    /// back. For what must not be said about a change that might not happen: its log line, its telemetry, waking
    /// the outbox for a queued mail. (In `Store.read`, after the body has returned without throwing.)
    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        committed.add(action)
    }

    // MARK: - SQL, for the methods in Store/
    // A SQLite error leaves these as a `StoreError`.

    func query(_ sql: String, _ parameters: [any SQLBindable] = []) throws -> [SQLRow] {
        try StoreError.converting { try connection.query(sql, parameters) }
    }

    /// Hands over the rows one at a time; `body` may run other statements meanwhile.
    func forEach(_ sql: String, _ parameters: [any SQLBindable] = [], _ body: (SQLRow) throws -> Void) throws {
        try StoreError.converting { try connection.forEach(sql, parameters, body) }
    }

    func run(_ sql: String, _ parameters: [any SQLBindable] = []) throws {
        try StoreError.converting { try connection.run(sql, parameters) }
    }

    /// One value from the first row, or nil.
    func scalar(_ sql: String, _ parameters: [any SQLBindable] = []) throws -> SQLValue? {
        try StoreError.converting { try connection.scalar(sql, parameters) }
    }

    /// Runs statements without parameters or results (a migration's schema).
    func execute(_ sql: String) throws {
        try StoreError.converting { try connection.execute(sql) }
    }

    var lastInsertRowID: Int64 { connection.lastInsertRowID }
    /// Rows changed by the last statement.
    var changes: Int { connection.changes }

    // MARK: - the database as a whole

    func setMeta(_ key: String, _ value: String) throws {
        try run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
    }

    func meta(_ key: String) throws -> String? {
        try scalar("SELECT value FROM meta WHERE key = ?", [key])?.string
    }

    /// SQLite's `data_version`: changes whenever another connection commits.
    func dataVersion() throws -> Int64 {
        try scalar("PRAGMA data_version")?.int64 ?? 0
    }

    /// Copies the whole database into `destination` with SQLite's online backup API.
    func backup(to destination: SQLiteConnection) throws {
        try StoreError.converting { try connection.backup(to: destination) }
    }
}

/// What a unit of work runs once it has committed (`StoreTransaction.afterCommit`). Used by one thread at a time:
/// the one holding the store's lock, then the one that released it.
final class CommitActions: @unchecked Sendable {
    private var actions: [@Sendable () -> Void] = []

    func add(_ action: @escaping @Sendable () -> Void) {
        actions.append(action)
    }

    func run() {
        let due = actions
        actions = []
        for action in due { action() }
    }
}
