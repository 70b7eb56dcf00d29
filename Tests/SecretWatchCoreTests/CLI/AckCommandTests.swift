import Foundation
import Testing
@testable import SecretWatchCore

/// `secretwatch ack` argument checking (the built binary).
@Suite("CLI ack")
struct AckCommandTests {
    @Test("ack takes only canonical alarm ids: +1, 01 and 0 are refused like any invalid id")
    func ackRefusesNonCanonicalIds() async throws {
        let dir = TemporaryDirectory()
        for id in ["+1", "01", "0", "abc"] {
            let out = try await runProcess(TestPaths.executable, ["ack", id, "--by", "alice", "--database", dir.file("none.db")], environment: [:])
            #expect(out.status == 2, "\(id): exit \(out.status) \(out.stderr)")
            #expect(out.stderr.contains("The value '\(id)' is invalid for '<alarm-id>'"), "\(id): \(out.stderr)")
        }
        let valid = try await runProcess(TestPaths.executable, ["ack", "1", "--by", "alice", "--database", dir.file("none.db")], environment: [:])
        #expect(valid.status == 1)
        #expect(valid.stderr.contains("does not exist yet"))
    }
}
