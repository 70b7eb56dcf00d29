internal import CSecretWatchSQLite

/// A failed SQLite call: the result code, SQLite's own message, and what the caller was doing.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code (its low byte is the primary code).
    public let code: Int32
    public let message: String
    public let context: String

    public init(code: Int32, message: String, context: String) {
        self.code = code
        self.message = message
        self.context = context
    }

    public var description: String { "SQLite error \(code) while \(context): \(message)" }

    /// What kind of failure the primary code names.
    public var primary: PrimaryCode { PrimaryCode(code) }

    /// Another connection holds the lock this call needed (SQLITE_BUSY, SQLITE_LOCKED).
    public var isBusy: Bool { primary == .busy || primary == .locked }
}

extension SQLiteError {
    /// The primary result codes callers tell apart, by SQLite's names; every other code is `other`.
    public enum PrimaryCode: Sendable, Equatable {
        /// SQLITE_CONSTRAINT: a unique index, foreign key or check refused the statement.
        case constraint
        /// SQLITE_FULL: the file system (or the database's size limit) is full.
        case full
        /// SQLITE_IOERR
        case ioError
        /// SQLITE_READONLY
        case readOnly
        /// SQLITE_PERM
        case permission
        /// SQLITE_AUTH
        case authorization
        /// SQLITE_CANTOPEN
        case cannotOpen
        /// SQLITE_CORRUPT
        case corrupt
        /// SQLITE_NOTADB: the file is not a database.
        case notADatabase
        /// SQLITE_BUSY
        case busy
        /// SQLITE_LOCKED
        case locked
        /// SQLITE_NOMEM
        case noMemory
        case other

        init(_ code: Int32) {
            switch code & 0xff {
            case SQLITE_CONSTRAINT: self = .constraint
            case SQLITE_FULL: self = .full
            case SQLITE_IOERR: self = .ioError
            case SQLITE_READONLY: self = .readOnly
            case SQLITE_PERM: self = .permission
            case SQLITE_AUTH: self = .authorization
            case SQLITE_CANTOPEN: self = .cannotOpen
            case SQLITE_CORRUPT: self = .corrupt
            case SQLITE_NOTADB: self = .notADatabase
            case SQLITE_BUSY: self = .busy
            case SQLITE_LOCKED: self = .locked
            case SQLITE_NOMEM: self = .noMemory
            default: self = .other
            }
        }
    }
}
