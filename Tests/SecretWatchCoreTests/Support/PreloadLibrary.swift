import Foundation
@testable import SecretWatchCore

/// A small C library from the tests' fixtures, built with the Swift toolchain's clang (`swift build` needs it, so
/// it is always there) to be preloaded (`LD_PRELOAD`) into a daemon the test starts: it replaces a C library
/// function to widen a race window or to report a misuse.
enum PreloadLibrary {
    /// The clang next to `swift` on PATH.
    static func clang() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/swift") {
            if FileManager.default.isExecutableFile(atPath: "\(directory)/clang") { return "\(directory)/clang" }
        }
        throw TestFailure("no clang next to swift on PATH (\(path))")
    }

    /// Builds `Tests/SecretWatchCoreTests/<fixture>` (a C file) into a shared library in `directory`; its path.
    static func build(_ fixture: String, in directory: TemporaryDirectory) async throws -> String {
        let source = TestPaths.testsDirectory(fixture).path
        let library = directory.file(URL(fileURLWithPath: fixture).deletingPathExtension().lastPathComponent + ".so")
        let built = try await runProcess(try clang(), ["-shared", "-fPIC", "-O1", "-o", library, source])
        guard built.status == 0 else { throw TestFailure("clang \(source) failed (\(built.status)): \(built.stderr)") }
        return library
    }
}
