import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

@Suite("Scheduler loop on an injected clock")
struct SchedulerTests {
    struct FailingStep: SchedulerStep {
        let name = "always-fails"
        struct Failure: Error, CustomStringConvertible { var description: String { "boom" } }
        func run(now: Date) async throws { throw Failure() }
    }

    /// Bounded by wall-clock time (`Patience`), not by a number of 1 ms sleeps: on a busy 2-core machine a sleep
    /// takes longer than asked. The pass itself takes milliseconds alone and over 30 s inside the full suite.
    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = Patience.deadline
        while !condition() && Date() < deadline {
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        #expect(condition())
    }

    @Test("one pass per interval; a failing step is reported and does not stop the others; cancellation stops the loop")
    func loop() async throws {
        let dir = TemporaryDirectory()
        let start = Date.utc("2027-01-01T00:00:00Z")
        let clock = ManualClock(now: start)
        let config = try TestConfig.load(in: dir, expires: start.addingTimeInterval(10 * 86400))
        let daemon = try Daemon(config: config, clock: clock)
        let scheduler = Scheduler(steps: daemon.scheduler.steps + [FailingStep()], interval: 3600, clock: clock,
                                  store: daemon.store)
        let task = Task { try await scheduler.run() }
        try await waitUntil { scheduler.status.snapshot.passes == 1 && clock.sleeperCount == 1 }
        #expect(scheduler.status.snapshot.failingSteps == ["always-fails": "boom"])
        #expect(try daemon.store.activeAlarms().filter(\.kind.isExpiry).count == 1)
        clock.advance(by: 1800)
        try await Task.sleep(nanoseconds: 20_000_000)
        #expect(scheduler.status.snapshot.passes == 1)
        clock.advance(by: 1800)
        try await waitUntil { scheduler.status.snapshot.passes == 2 && clock.sleeperCount == 1 }
        #expect(scheduler.status.snapshot.lastPassStartedAt == start.addingTimeInterval(3600))
        #expect(try daemon.store.meta("scheduler.last_pass_at") == "2027-01-01T01:00:00Z")
        task.cancel()
        _ = await task.result
        #expect(clock.sleeperCount == 0)
    }
}
