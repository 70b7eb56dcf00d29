import Foundation
internal import CSQLite

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
