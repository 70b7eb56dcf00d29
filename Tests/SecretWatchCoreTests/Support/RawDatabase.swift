import Foundation
import SecretWatchSQLite
@testable import SecretWatchCore

extension Store {
    /// A second connection to this store's database file, for tests that set up or inspect what no store method
    /// does (a row written past the scrubber, a page to damage, a count). In WAL mode it reads and writes beside
    /// the store's own connection, and it waits up to 5 s for the store's write lock. The store itself hands its
    /// connection to nobody.
    func withRawConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let db = try SQLiteConnection(path: path)
        try db.execute("PRAGMA busy_timeout = 5000")
        return try body(db)
    }
}
