import Foundation
import Testing
@testable import SecretWatchCore

/// A FIFO where the configuration or a secret file belongs: refused at once with its kind named.
@Suite("CLI on files that are not regular files")
struct NonRegularFileCLITests {
    @Test("a FIFO where a file belongs is refused at once, without waiting for a writer")
    func fifoIsRefused() async throws {
        let dir = TemporaryDirectory()
        #expect(mkfifo(dir.file("fifo"), 0o600) == 0)
        try dir.write("secret.txt", "fifo-canary-secret\n", mode: 0o600)
        let config = try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date().addingTimeInterval(400 * 86400)))
        let text = try String(contentsOfFile: config, encoding: .utf8)
        let secret = try dir.write("secret-fifo.yml", text.replacingOccurrences(of: "client_secret_file: secret.txt", with: "client_secret_file: fifo"))
        let out = try await runProcess(TestPaths.executable, ["check", "--config", secret], environment: [:])
        #expect(out.status == 2)
        #expect(out.stderr.contains("  - smtp.auth.client_secret_file: \"\(dir.file("fifo"))\" is not a regular file (it is a FIFO)"), "\(out.stderr)")

        let asConfig = try await runProcess(TestPaths.executable, ["check", "--config", dir.file("fifo")], environment: [:])
        #expect(asConfig.status == 2)
        #expect(asConfig.stderr.contains("\"\(dir.file("fifo"))\" is not a regular file (it is a FIFO)"), "\(asConfig.stderr)")
    }
}
