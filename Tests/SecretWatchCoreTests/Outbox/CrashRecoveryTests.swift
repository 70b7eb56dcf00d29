import Foundation
import Testing
@testable import SecretWatchCore

/// `kill -9` in the middle of a batch, with a real process: `mail-bench` runs the real outbox and delivery
/// service (a fixed test token instead of Entra). Nothing queued is lost; after the restart only messages that
/// were in flight may arrive twice, with the same Message-ID.
@Suite("Crash recovery (kill -9)")
struct CrashRecoveryTests {
    static func benchBinary() -> URL? {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL]
        return candidates.map { $0.appendingPathComponent("mail-bench") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    func run(_ binary: URL, _ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.runExclusively()
        return p
    }

    @Test(.timeLimit(.minutes(2))) func killDashNineMidBatchLosesNothing() async throws {
        let binary = try #require(Self.benchBinary(), "mail-bench is built with the tests (swift build --build-tests)")
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let db = server.directory.appendingPathComponent("crash.db").path
        let common = ["--db", db, "--port", "\(server.port)", "--ca", server.caFile, "--token-file", server.tokensFile.path,
                      "--from", "slow-bench@contoso.example"]
        let total = 40
        let enqueue = try run(binary, common + ["--enqueue", "\(total)"])
        #expect(try await enqueue.ending() == .exit(0))
        let queuedIds = Set(try Store(path: db).outboxMessages(limit: 1000).map { "<\($0.messageId)>" })
        #expect(queuedIds.count == total)

        let first = try run(binary, common + ["--deliver", "--concurrency", "3"])
        defer { first.end(grace: 0) }
        try await MailTestSupport.eventually("some mail delivered") { try server.received().count >= 6 }
        kill(first.processIdentifier, SIGKILL)
        #expect(try await first.ending() == .signal(SIGKILL))

        let afterCrash = try Store(path: db).outboxSnapshot()
        #expect(afterCrash.sent + afterCrash.depth == total, "every message is still sent or queued")
        #expect(afterCrash.depth > 0, "the kill came mid-batch")

        let second = try run(binary, common + ["--deliver", "--concurrency", "3"])
        defer { second.end(grace: 5) }
        #expect(try await second.ending() == .exit(0))
        #expect(try Store(path: db).outboxSnapshot().sent == total)
        let received = try server.received().map(\.message_id)
        #expect(Set(received) == queuedIds, "every queued message arrived")
        #expect(received.count - total <= 3, "only the in-flight messages (at most one per worker) may arrive twice")
    }
}
