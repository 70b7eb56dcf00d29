import Foundation

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
