import FoundationEssentials
import Glibc

/// Why `secretwatch backup` wrote no copy. `reason` is stable; the description names the file and the fix.
public struct DatabaseBackupError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case sourceMissing(String)
        case destinationExists(String)
        case noDirectory(String)
        case copyFailed(StoreError)
        case integrity([String])
        case cannotWrite(String, Int32)
    }

    private let kind: Kind

    static func sourceMissing(_ path: String) -> Self { Self(kind: .sourceMissing(path)) }
    static func destinationExists(_ path: String) -> Self { Self(kind: .destinationExists(path)) }
    static func noDirectory(_ path: String) -> Self { Self(kind: .noDirectory(path)) }
    static func copyFailed(_ error: StoreError) -> Self { Self(kind: .copyFailed(error)) }
    static func integrity(_ problems: [String]) -> Self { Self(kind: .integrity(problems)) }
    static func cannotWrite(_ path: String, _ code: Int32) -> Self { Self(kind: .cannotWrite(path, code)) }

    public var reason: String {
        switch kind {
        case .sourceMissing: "source_missing"
        case .destinationExists: "destination_exists"
        case .noDirectory: "no_directory"
        case .copyFailed: "copy_failed"
        case .integrity: "integrity_check_failed"
        case .cannotWrite: "cannot_write"
        }
    }

    public var description: String {
        switch kind {
        case .sourceMissing(let path):
            "database \(path) does not exist; start secretwatch (secretwatch run) to create it, or name it with --database"
        case .destinationExists(let path):
            "\(path) already exists; choose another name, or pass --force to replace it"
        case .noDirectory(let path):
            "directory \(path) does not exist; create it first"
        case .copyFailed(let error):
            "copying the database failed: \(error)"
        case .integrity(let problems):
            "the copy failed PRAGMA integrity_check (\(problems.prefix(5).joined(separator: "; "))); the live database may be damaged: see docs/troubleshooting.md (store_failing, corrupt)"
        case .cannotWrite(let path, let code):
            "cannot write \(path): \(String(cString: strerror(code)))"
        }
    }
}
