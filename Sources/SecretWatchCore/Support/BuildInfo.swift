import Synchronization

/// What `secretwatch_build_info` says of the running binary: its version, the git commit it was built from and
/// the Swift compiler that built it. The revision is compiled into the `secretwatch` executable (not into this
/// library), which records it here before anything else runs; a library user or a test sees "unknown".
public enum BuildInfo {
    public static let unknown = "unknown"
    private static let recordedRevision = Mutex(unknown)

    public static var version: String { SecretWatchVersion.string }

    /// The git commit, or "unknown".
    public static var revision: String { recordedRevision.withLock { $0 } }

    /// Records the commit the executable was built from (hexadecimal digits only; anything else stays "unknown").
    public static func record(revision: String) {
        let valid = !revision.isEmpty && revision.count <= 40 && revision.allSatisfy(\.isHexDigit)
        recordedRevision.withLock { $0 = valid ? revision : unknown }
    }

    /// The compiler's major.minor version.
    public static let swift: String = {
        #if compiler(>=7.0)
        "7.0+"
        #elseif compiler(>=6.4)
        "6.4"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "6.1-"
        #endif
    }()
}
