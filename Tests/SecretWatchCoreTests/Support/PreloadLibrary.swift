import Foundation
@testable import SecretWatchCore

/// A small C library from the tests' fixtures, built with the Swift toolchain's clang (`swift build` needs it, so
/// it is there wherever the tests build) to be preloaded (`LD_PRELOAD`) into a daemon the test starts: it replaces a C library
/// function to widen a race window or to report a misuse.
enum PreloadLibrary {
    /// The clang next to `swift` on PATH, else the first clang, cc or gcc on PATH.
    static func compiler() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init)
        let executable = { (file: String) in FileManager.default.isExecutableFile(atPath: file) }
        if let toolchain = directories.first(where: { executable("\($0)/swift") && executable("\($0)/clang") }) {
            return "\(toolchain)/clang"
        }
        for name in ["clang", "cc", "gcc"] {
            if let directory = directories.first(where: { executable("\($0)/\(name)") }) { return "\(directory)/\(name)" }
        }
        throw TestFailure("no C compiler on PATH (\(path)): neither clang next to swift nor clang, cc or gcc")
    }

    /// Builds `Tests/SecretWatchCoreTests/<fixture>` (a C file) into a shared library in `directory`; its path.
    static func build(_ fixture: String, in directory: TemporaryDirectory) async throws -> String {
        let source = TestPaths.testsDirectory(fixture).path
        let library = directory.file(URL(fileURLWithPath: fixture).deletingPathExtension().lastPathComponent + ".so")
        let built = try await runProcess(try compiler(), ["-shared", "-fPIC", "-O1", "-o", library, source])
        guard built.status == 0 else { throw TestFailure("clang \(source) failed (\(built.status)): \(built.stderr)") }
        return library
    }
}
