import Foundation
import Testing
@testable import SecretWatchCore

@Suite("Database lock")
struct DatabaseLockTests {
    @Test("a second lock on the same database is refused naming the holder; released, it can be taken again")
    func exclusiveUntilReleased() throws {
        let dir = TemporaryDirectory()
        let database = dir.file("state/sw.db")
        var first: DatabaseLock? = try DatabaseLock(database: database)
        #expect(first?.path == database + ".lock")
        #expect(try String(contentsOfFile: database + ".lock", encoding: .utf8) == "\(getpid())\n")
        #expect(!FileManager.default.fileExists(atPath: database), "taking the lock creates no database")

        #expect {
            _ = try DatabaseLock(database: database)
        } throws: { error in
            let locked = error as? DatabaseLockError
            return locked?.reason == "database_locked" && locked?.holder == getpid()
                && "\(error)" == "another secretwatch (pid \(getpid())) is running on \(database) (it holds \(database).lock); stop it first, or give this one its own database"
        }
        _ = try DatabaseLock(database: dir.file("other.db")) // another database is another lock
        first = nil
        // Released. Other tests in this process spawn children all the time, and a child being spawned holds a
        // copy of every descriptor until its exec closes the close-on-exec ones: retry briefly.
        var again: DatabaseLock?
        let deadline = Patience.deadline
        while again == nil {
            do {
                again = try DatabaseLock(database: database)
            } catch let error as DatabaseLockError where error.reason == "database_locked" && Date() < deadline {
                usleep(20_000)
            }
        }
        #expect(again?.database == database)
    }

    @Test("a lock file that cannot be created is a clear error")
    func unusableLockFile() throws {
        let dir = TemporaryDirectory()
        try dir.write("file", "not a directory")
        #expect {
            _ = try DatabaseLock(database: dir.file("file/sw.db"))
        } throws: { error in
            (error as? DatabaseLockError)?.reason == "lock_file_error" && "\(error)".contains(dir.file("file"))
        }
    }
}
