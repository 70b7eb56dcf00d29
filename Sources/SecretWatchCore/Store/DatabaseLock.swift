import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The claim of one running secretwatch daemon (`run`, `run --once`, `demo`) on its database: an exclusive
/// `flock(2)` on `<database>.lock`, which holds the owner's PID. Two daemons on one database would each run the
/// scheduler and each deliver the outbox, mailing every alarm twice; the second one is refused instead.
///
/// The kernel drops the lock when the descriptor closes — on exit, on a crash, on `kill -9` — so a stale lock
/// file never blocks a restart; the file itself stays (removing it would let a third process lock a new file
/// while the second still holds the old one). The descriptor is close-on-exec: a child process never inherits
/// the lock. Commands that only read, and `ack` and `send-test` (which write through SQLite's own locking, one
/// transaction at a time), do not take it.
///
/// `@unchecked Sendable`: the descriptor is written once in `init` and only closed in `deinit`.
public final class DatabaseLock: @unchecked Sendable {
    /// The lock file, `<database>.lock`.
    public let path: String
    public let database: String
    private let descriptor: Int32

    public static func lockPath(database: String) -> String { database + ".lock" }

    /// Takes the lock for `database`, or throws `DatabaseLockError` naming the process that holds it.
    public init(database: String) throws {
        self.database = database
        path = Self.lockPath(database: database)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DatabaseLockError.cannotOpen(path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = Self.readPID(fd)
            close(fd)
            if code == EWOULDBLOCK { throw DatabaseLockError.held(database: database, pid: holder, lockFile: path) }
            throw DatabaseLockError.cannotLock(path, errno: code)
        }
        let pid = "\(getpid())\n"
        let written = pid.withCString { ftruncate(fd, 0) == 0 ? pwrite(fd, $0, strlen($0), 0) : -1 }
        guard written == pid.utf8.count else {
            let code = errno
            close(fd)
            throw DatabaseLockError.cannotWrite(path, errno: code)
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// The PID the holder wrote, when it has (it writes right after locking).
    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingSpacesAndNewlines)
    }
}

/// Why `DatabaseLock` could not be taken: another daemon holds it, or the lock file cannot be used.
public struct DatabaseLockError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case held(pid: Int32?, lockFile: String)
        case file(action: String, path: String, errno: Int32)
    }

    private let kind: Kind
    /// The database the lock is for (empty for file errors).
    public let database: String

    /// The PID of the process holding the lock, when it could be read.
    public var holder: Int32? {
        if case .held(let pid, _) = kind { return pid }
        return nil
    }

    /// `database_locked` or `lock_file_error`.
    public var reason: String {
        if case .held = kind { return "database_locked" }
        return "lock_file_error"
    }

    static func held(database: String, pid: Int32?, lockFile: String) -> DatabaseLockError {
        DatabaseLockError(kind: .held(pid: pid, lockFile: lockFile), database: database)
    }

    static func cannotOpen(_ path: String, errno: Int32) -> DatabaseLockError {
        DatabaseLockError(kind: .file(action: "open", path: path, errno: errno), database: "")
    }

    static func cannotLock(_ path: String, errno: Int32) -> DatabaseLockError {
        DatabaseLockError(kind: .file(action: "lock", path: path, errno: errno), database: "")
    }

    static func cannotWrite(_ path: String, errno: Int32) -> DatabaseLockError {
        DatabaseLockError(kind: .file(action: "write the PID to", path: path, errno: errno), database: "")
    }

    public var description: String {
        switch kind {
        case .held(let pid, let lockFile):
            let who = pid.map { "another secretwatch (pid \($0))" } ?? "another secretwatch"
            return "\(who) is running on \(database) (it holds \(lockFile)); stop it first, or give this one its own database"
        case .file(let action, let path, let code):
            return "cannot \(action) the lock file \(path): \(String(cString: strerror(code)))"
        }
    }
}
