internal import SecretWatchSQLite

/// A database operation that failed: SQLite's result code and message, what secretwatch was doing, and — when
/// the failure is about where the database lives rather than what was asked — its storage reason. Every database
/// failure a `Store` method (or a `StoreTransaction` method) throws is one of these.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// SQLite's extended result code.
    public let code: Int32
    /// SQLite's own message.
    public let message: String
    /// What secretwatch was doing (may quote the statement).
    public let context: String
    /// Why the database refused for a storage reason (disk full, I/O error, read-only, ...); nil when the error
    /// is about the statement (a constraint, a bug), which says nothing about whether the database takes writes.
    public let reason: StoreFailureReason?
    /// A unique index, foreign key or check refused the statement.
    public let isConstraintViolation: Bool

    init(_ error: SQLiteError) {
        code = error.code
        message = error.message
        context = error.context
        reason = StoreFailureReason(error)
        isConstraintViolation = error.primary == .constraint
    }

    public var description: String { "SQLite error \(code) while \(context): \(message)" }

    /// Runs `body`; a SQLite error it throws leaves as a `StoreError`, any other error as it is.
    static func converting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw StoreError(error)
        }
    }
}

/// Why the database refused an operation because of where it lives (not because of what was asked): the
/// stable reason of the `store_failing` alarm and the label of `secretwatch_store_failures_total`, with what
/// the operator reads and the fix. docs/troubleshooting.md lists every case (a test checks it).
public enum StoreFailureReason: String, Sendable, CaseIterable {
    case diskFull = "disk_full"
    case ioError = "io_error"
    case readOnly = "read_only"
    case cannotOpen = "cannot_open"
    case corrupt = "corrupt"
    case busy = "busy"
    case outOfMemory = "out_of_memory"

    /// The storage reason of a SQLite error; nil when the error is about the statement (a constraint, a bug),
    /// which says nothing about whether the database takes writes.
    init?(_ error: SQLiteError) {
        switch error.primary {
        case .full: self = .diskFull
        case .ioError: self = .ioError
        case .readOnly, .permission, .authorization: self = .readOnly
        case .cannotOpen: self = .cannotOpen
        case .corrupt, .notADatabase: self = .corrupt
        case .busy, .locked: self = .busy
        case .noMemory: self = .outOfMemory
        case .constraint, .other: return nil
        }
    }

    public var message: String {
        switch self {
        case .diskFull: "the file system that holds the database is full"
        case .ioError: "the operating system reported an I/O error on the database files"
        case .readOnly: "the database or its directory is not writable"
        case .cannotOpen: "a database file (the database, its -wal or -shm file) cannot be opened"
        case .corrupt: "the database file is damaged"
        case .busy: "another process has held the database's write lock for longer than the 5 s busy timeout"
        case .outOfMemory: "SQLite ran out of memory"
        }
    }

    public var fix: String {
        switch self {
        case .diskFull:
            "free space on that file system (df -h on the database's directory; old logs, core files, backups) or grow it; secretwatch resumes by itself, no restart needed"
        case .ioError:
            "check the kernel log (journalctl -k, dmesg) for disk or file system errors on that volume, and that it is still mounted"
        case .readOnly:
            "check that the volume is not mounted read-only (findmnt) and that the secretwatch user owns the database, its -wal and -shm files and their directory"
        case .cannotOpen:
            "check that the database's directory exists and the secretwatch user may create files in it (the -wal and -shm files), and the open-file limit"
        case .corrupt:
            "stop secretwatch, keep a copy of the files, and restore the last backup of the database or move it aside to start a fresh one (alarm history is lost, alarms are raised again)"
        case .busy:
            "find the process holding the database open in a long write (fuser on the database file; a sqlite3 shell, a second secretwatch) and end it"
        case .outOfMemory:
            "check the memory limit of the service (MemoryMax in the unit) and the machine's free memory"
        }
    }
}
