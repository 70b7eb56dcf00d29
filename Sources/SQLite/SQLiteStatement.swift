import FoundationEssentials
internal import CSecretWatchSQLite

/// A prepared statement owned by one `SQLiteConnection` (which keeps it in its cache and finalizes it).
final class SQLiteStatement {
    private let handle: OpaquePointer
    private unowned let connection: SQLiteConnection
    let sql: String
    private lazy var columnIndex: [String: Int] = {
        var map: [String: Int] = [:]
        for i in 0..<sqlite3_column_count(handle) {
            map[String(cString: sqlite3_column_name(handle, i))] = Int(i)
        }
        return map
    }()

    init(handle: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ parameters: [any SQLBindable]) throws {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        precondition(parameters.count == expected, "statement expects \(expected) parameters, got \(parameters.count): \(sql)")
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch parameter.sqlValue {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
            case .real(let v): rc = sqlite3_bind_double(handle, index, v)
            case .text(let v): rc = sw_sqlite3_bind_text_transient(handle, index, v, -1)
            }
            try connection.check(rc, "binding parameter \(index) of \(sql.prefix(80))")
        }
    }

    func rows() throws -> [SQLRow] {
        var result: [SQLRow] = []
        try each { result.append($0) }
        return result
    }

    /// Steps through the result, one row at a time: large results need not exist whole.
    func each(_ body: (SQLRow) throws -> Void) throws {
        let count = sqlite3_column_count(handle)
        while true {
            let rc = try connection.check(sqlite3_step(handle), "running \(sql.prefix(120))", accept: SQLiteConnection.rowOrDone)
            if rc == SQLITE_DONE { break }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for i in 0..<count {
                switch sqlite3_column_type(handle, i) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, i)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(handle, i)))
                case SQLITE_NULL: values.append(.null)
                default: values.append(.text(String(cString: sqlite3_column_text(handle, i))))
                }
            }
            try body(SQLRow(columns: columnIndex, values: values))
        }
    }
}

/// A value bound to or read from a statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var int: Int? {
        if case .integer(let v) = self { return Int(v) }
        return nil
    }
    public var int64: Int64? {
        if case .integer(let v) = self { return v }
        return nil
    }
    public var double: Double? {
        switch self {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }
    public var string: String? {
        if case .text(let v) = self { return v }
        return nil
    }
    /// Times are stored as Unix seconds (REAL, so sub-second precision survives).
    public var date: Date? { double.map { Date(timeIntervalSince1970: $0) } }
}

/// Values that can be bound as statement parameters.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension Date: SQLBindable { public var sqlValue: SQLValue { .real(timeIntervalSince1970) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One result row, read by column name.
public struct SQLRow: Sendable {
    let columns: [String: Int]
    /// The row's values, in the order of the statement's columns.
    public let values: [SQLValue]

    public subscript(_ name: String) -> SQLValue {
        guard let index = columns[name] else {
            preconditionFailure("no column \(name) in result (have \(columns.keys.sorted()))")
        }
        return values[index]
    }
}
