import Foundation
import Testing

/// Runs the built `secretwatch` executable (it sits next to the test bundle after `swift build --build-tests`).
enum SecretWatchCLI {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
    }

    static var executable: URL {
        get throws {
            let path = TestPaths.executable
            try #require(FileManager.default.isExecutableFile(atPath: path),
                         "secretwatch executable not found at \(path); build it with swift build --build-tests")
            return URL(fileURLWithPath: path)
        }
    }

    /// Runs `secretwatch arguments…` with only `environment` set, and waits (bounded).
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        let out = try await runProcess(try executable.path, arguments, environment: environment)
        return Output(status: out.status, stdout: out.stdout, stderr: out.stderr)
    }
}
