import FoundationEssentials
import Glibc

/// `secretwatch backup FILE`: a consistent copy of the live database, made through SQLite's online backup API
/// beside a running daemon (no file copy of a WAL database, no database lock taken), then checked with
/// `PRAGMA integrity_check`. The copy is written under a temporary name in FILE's directory and only takes
/// FILE's name once it passed the check, so FILE is never a half-written or damaged database.
///
/// The database never holds a client secret or a token, so neither does the copy: it is safe to keep.
public struct DatabaseBackup: Sendable {
    public let source: String
    public let destination: String
    /// Replace an existing `destination` (`--force`); without it an existing file is refused.
    public let overwrite: Bool

    public init(source: String, destination: String, overwrite: Bool) {
        self.source = source
        self.destination = destination
        self.overwrite = overwrite
    }

    /// What was written.
    public struct Outcome: Sendable, Equatable {
        public let path: String
        public let bytes: Int64
        public let schemaVersion: Int
    }

    /// Copies, checks and moves the copy into place; on any failure nothing is left at `destination` (an existing
    /// file there is untouched) and the temporary copy is removed.
    public func run() throws -> Outcome {
        let files = FileManager.default
        guard files.fileExists(atPath: source) else { throw DatabaseBackupError.sourceMissing(source) }
        if !overwrite && Self.exists(destination) { throw DatabaseBackupError.destinationExists(destination) }
        let directory = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        var isDirectory = false
        guard files.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory else {
            throw DatabaseBackupError.noDirectory(directory)
        }
        let name = URL(fileURLWithPath: destination).lastPathComponent
        let partial = URL(fileURLWithPath: directory).appendingPathComponent(".\(name).partial-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { Self.remove(partial) }

        let schemaVersion: Int
        do {
            let store = try Store(path: source)
            try store.backup(to: partial)
            schemaVersion = try store.schemaVersion()
        } catch let error as StoreError {
            throw DatabaseBackupError.copyFailed(error)
        }
        let problems: [String]
        do {
            problems = try Store.integrityCheck(path: partial)
        } catch let error as StoreError {
            throw DatabaseBackupError.copyFailed(error)
        }
        guard problems == ["ok"] else { throw DatabaseBackupError.integrity(problems) }

        if overwrite {
            guard rename(partial, destination) == 0 else { throw DatabaseBackupError.cannotWrite(destination, errno) }
        } else {
            // link(2) refuses an existing name atomically: a file that appeared meanwhile is not replaced.
            guard link(partial, destination) == 0 else {
                let code = errno
                throw code == EEXIST ? DatabaseBackupError.destinationExists(destination)
                                     : DatabaseBackupError.cannotWrite(destination, code)
            }
        }
        var info = stat()
        let bytes = stat(destination, &info) == 0 ? Int64(info.st_size) : 0
        return Outcome(path: destination, bytes: bytes, schemaVersion: schemaVersion)
    }

    /// Whether anything has that name (a dangling symbolic link too).
    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func remove(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
    }
}
