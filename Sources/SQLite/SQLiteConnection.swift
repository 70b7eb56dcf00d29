import FoundationEssentials
import Glibc
internal import CSecretWatchSQLite

/// One SQLite connection. The raw handle lives here and nowhere else.
///
/// `@unchecked Sendable`: the handle is opened with SQLITE_OPEN_FULLMUTEX (serialized mode), and the statement
/// cache is not locked: the owner holds its own lock around every unit of work on the connection (a transaction,
/// a read), so no two threads ever interleave statements on it.
public final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: SQLiteStatement] = [:]

    /// Opens (creating with mode 0600 when absent) the database at `path`.
    public init(path: String) throws {
        self.path = path
        if path != ":memory:" && !FileManager.default.fileExists(atPath: path) {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o750])
            }
            // Create the file ourselves so it is 0600 from its first byte; SQLite gives the -wal and -shm
            // files the same mode as the database.
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd < 0 && errno != EEXIST {
                throw SQLiteError(code: SQLITE_CANTOPEN, message: String(cString: strerror(errno)),
                                  context: "creating database file \(path)")
            }
            if fd >= 0 { close(fd) }
        }
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, context: "opening database \(path)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    static let okOnly: Set<Int32> = [SQLITE_OK]
    static let rowOrDone: Set<Int32> = [SQLITE_ROW, SQLITE_DONE]

    /// Every SQLite return code goes through here: anything but the accepted codes throws with SQLite's message.
    /// (The accepted sets are constants: a set literal as the default argument was built on every bind and step.)
    @discardableResult
    func check(_ rc: Int32, _ context: @autoclosure () -> String, accept: Set<Int32> = SQLiteConnection.okOnly) throws -> Int32 {
        guard accept.contains(rc) else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), context: context())
        }
        return rc
    }

    /// Runs one or more statements without results (schema, pragmas, BEGIN/COMMIT).
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message, context: "executing \(sql.prefix(80))")
        }
    }

    /// A prepared statement, cached by its SQL text.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        if let cached = statementCache[sql] {
            cached.reset()
            return cached
        }
        let statement = try compile(sql)
        statementCache[sql] = statement
        return statement
    }

    /// A new prepared statement, not cached.
    private func compile(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        try check(sqlite3_prepare_v2(handle, sql, -1, &stmt, nil), "preparing \(sql.prefix(120))")
        return SQLiteStatement(handle: stmt!, connection: self, sql: sql)
    }

    /// Runs a statement and returns every row.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any SQLBindable] = []) throws -> [SQLRow] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(parameters)
        return try statement.rows()
    }

    /// Runs a statement and hands over its rows one at a time. The statement is its own (not the cached one),
    /// so `body` may run any statement, even the same SQL, without cutting this iteration short.
    public func forEach(_ sql: String, _ parameters: [any SQLBindable] = [], _ body: (SQLRow) throws -> Void) throws {
        let statement = try compile(sql)
        try statement.bind(parameters)
        try statement.each(body)
    }

    /// Runs a statement without result rows.
    public func run(_ sql: String, _ parameters: [any SQLBindable] = []) throws {
        try query(sql, parameters)
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }
    /// Rows inserted, updated or deleted through this connection since it was opened.
    public var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// One value from the first row, or nil.
    public func scalar(_ sql: String, _ parameters: [any SQLBindable] = []) throws -> SQLValue? {
        try query(sql, parameters).first?.values.first
    }

    /// Copies the whole database into `destination` with SQLite's online backup API, while others keep writing.
    ///
    /// All pages in one step (-1): one read transaction, so the copy is the database as of one commit. In WAL mode
    /// that read blocks no writer; copying in slices instead would start over after every commit another
    /// connection makes between two slices, and a busy daemon could keep it from ever finishing.
    public func backup(to destination: SQLiteConnection) throws {
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else {
            throw SQLiteError(code: sqlite3_errcode(destination.handle),
                              message: String(cString: sqlite3_errmsg(destination.handle)), context: "starting backup")
        }
        var rc: Int32
        repeat {
            rc = sqlite3_backup_step(backup, -1)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { sqlite3_sleep(20) }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errstr(rc)), context: "copying the database")
        }
        try destination.check(finish, "finishing backup")
    }
}
