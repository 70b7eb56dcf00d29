internal import CSQLite

/// A failed SQLite call: the result code, SQLite's own message, and what secretwatch was doing.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let context: String

    public var description: String { "SQLite error \(code) while \(context): \(message)" }

    /// True for SQLITE_CONSTRAINT and its extended codes.
    public var isConstraintViolation: Bool { code & 0xff == SQLITE_CONSTRAINT }
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}
