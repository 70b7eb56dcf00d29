import Foundation
import Testing
import SecretWatchSQLite
import SecretWatchTesting
@testable import SecretWatchCore

/// What the store reports about itself: storage failures (classified), persistent after three in a row, over
/// with the first write that lands; reads and commits that change nothing prove nothing.
@Suite struct StoreHealthTests {
    static let start = Date.utc("2027-01-01T00:00:00Z")
    static let full = StoreError(SQLiteError(code: 13, message: "database or disk is full", context: "executing COMMIT"))

    @Test func storageErrorsAreClassifiedAndStatementErrorsAreNot() {
        let cases: [(Int32, StoreFailureReason?)] = [
            (13, .diskFull), (10, .ioError), (10 | (3 << 8), .ioError), (8, .readOnly), (14, .cannotOpen), (11, .corrupt),
            (26, .corrupt), (5, .busy), (6, .busy), (7, .outOfMemory),
            (19, nil), (19 | (8 << 8), nil), (1, nil), (21, nil),
        ]
        for (code, reason) in cases {
            let error = StoreError(SQLiteError(code: code, message: "m", context: "c"))
            #expect(error.reason == reason, "code \(code)")
            #expect(error.isConstraintViolation == (code & 0xff == 19), "code \(code)")
            #expect(error.description == "SQLite error \(code) while c: m")
        }
    }

    @Test func everyReasonIsDocumentedInTroubleshooting() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/troubleshooting.md"), encoding: .utf8)
        for reason in StoreFailureReason.allCases {
            #expect(text.contains("`\(reason.rawValue)`"), "docs/troubleshooting.md does not mention \(reason.rawValue)")
            #expect(!reason.message.isEmpty && !reason.fix.isEmpty)
        }
    }

    /// Each write that must fail carries a value larger than any slack a file's last allocated page can hold,
    /// so that it needs new blocks from the full volume whatever the file sizes happen to be.
    static let bulky = String(repeating: "v", count: 256 * 1024)

    @Test(.enabled(if: SmallVolume.mountPermitted, SmallVolume.skipReason))
    func aFullDiskFailsPersistentlyAfterThreeWritesAndRecoversWithAWrite() throws {
        let volume = try SmallVolume(size: "2m")
        defer { try? volume.unmount() }
        let clock = ManualClock(now: Self.start)
        let store = try Store(path: volume.path("secretwatch.db"), now: Self.start, health: StoreHealth(clock: clock))
        let recoveries = LockedBox(0)
        store.health.onRecovery { recoveries.set(recoveries.get() + 1) }
        let filled = try volume.fill()

        let first = failure { try store.setMeta("probe", Self.bulky) }
        #expect(first?.code == 13, "first write on the full volume (\(filled) bytes of filler): \(first.map(String.init(describing:)) ?? "succeeded")")
        var status = store.health.status
        #expect(status.consecutiveFailures == 1 && status.lastReason == .diskFull && !status.persistent, "\(status)")
        #expect(status.failingSince == Self.start)
        // A read and a commit that changes nothing work on a full disk: neither counts as a recovery.
        #expect(try store.schemaVersion() > 0)
        #expect(try store.claimDue(now: clock.now(), limit: 4).isEmpty)
        #expect(store.health.status.consecutiveFailures == 1, "\(store.health.status)")

        clock.advance(by: 30)
        let second = failure { try store.setMeta("probe", Self.bulky + "2") }
        #expect(second?.code == 13, "second write: \(second.map(String.init(describing:)) ?? "succeeded")")
        #expect(!store.health.status.persistent, "two failures are not persistent yet")
        clock.advance(by: 30)
        let third = failure {
            try store.transaction { tx in try tx.setMeta("x", Self.bulky) }
        }
        #expect(third?.code == 13, "third write: \(third.map(String.init(describing:)) ?? "succeeded")")
        status = store.health.status
        #expect(status.persistent, "\(status)")
        let episode = try #require(status.episode)
        #expect(episode.since == Self.start && episode.persistentAt == Self.start.addingTimeInterval(60), "\(episode)")
        #expect(episode.reason == .diskFull && episode.failures == 3 && episode.endedAt == nil, "\(episode)")
        #expect(episode.error.contains("database or disk is full"), "\(episode.error)")
        #expect(recoveries.get() == 0)

        try volume.free()
        clock.advance(by: 30)
        try store.setMeta("probe", "3")
        status = store.health.status
        #expect(!status.persistent && status.consecutiveFailures == 0 && status.failingSince == nil, "\(status)")
        #expect(status.episode?.endedAt == Self.start.addingTimeInterval(90), "kept until the alarm step has written it")
        #expect(status.failures == [.diskFull: 3], "\(status.failures)")
        #expect(recoveries.get() == 1)
        try store.setMeta("probe", "4")
        #expect(recoveries.get() == 1, "one recovery per episode")
    }

    /// The store error `body` threw, or nil when it succeeded (another error fails the test).
    private func failure(_ body: () throws -> Void) -> StoreError? {
        do {
            try body()
            return nil
        } catch let error as StoreError {
            return error
        } catch {
            Issue.record("not a store error: \(error)")
            return nil
        }
    }

    @Test func anEpisodeFailingAgainBeforeItIsWrittenDownContinuesInsteadOfFlapping() {
        let clock = ManualClock(now: Self.start)
        let health = StoreHealth(clock: clock)
        for _ in 0..<3 { health.failed(Self.full) }
        clock.advance(by: 60)
        health.wrote()
        #expect(!health.status.persistent)
        // One failure after the recovery is not persistent; three are, and continue the same episode.
        health.failed(Self.full)
        #expect(!health.status.persistent && health.status.episode?.endedAt != nil)
        health.failed(Self.full)
        health.failed(Self.full)
        let resumed = health.status.episode
        #expect(health.status.persistent)
        #expect(resumed?.since == Self.start && resumed?.failures == 6 && resumed?.persistentAt == Self.start)
    }

    @Test func aWrittenEpisodeIsForgottenAndTheNextOneStartsAfresh() throws {
        let clock = ManualClock(now: Self.start)
        let health = StoreHealth(clock: clock, failuresBeforeAlarm: 2)
        health.failed(Self.full)
        health.failed(Self.full)
        health.wrote()
        let ended = try #require(health.status.episode)
        health.written(ended)
        #expect(health.status.episode == nil)
        clock.advance(by: 3600)
        health.failed(StoreError(SQLiteError(code: 10 | (3 << 8), message: "disk I/O error", context: "executing COMMIT")))
        #expect(health.status.episode == nil, "one failure is not an episode")
        health.failed(StoreError(SQLiteError(code: 10, message: "disk I/O error", context: "executing COMMIT")))
        let next = try #require(health.status.episode)
        #expect(next.since == Self.start.addingTimeInterval(3600) && next.reason == .ioError && next.endedAt == nil)
        #expect(health.status.failures == [.diskFull: 2, .ioError: 2])
    }

    @Test func errorsAboutTheStatementAreNotStorageFailures() {
        let health = StoreHealth(clock: ManualClock(now: Self.start))
        for _ in 0..<5 { health.failed(StoreError(SQLiteError(code: 19, message: "UNIQUE constraint failed", context: "inserting"))) }
        #expect(health.status == StoreHealth.Status())
    }
}
