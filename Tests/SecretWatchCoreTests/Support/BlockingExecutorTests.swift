import Foundation
import Testing
@testable import SecretWatchCore

/// Blocking work (libcurl transfers: SMTP sends, token requests, Graph pages) each gets a thread when it needs one:
/// blocked calls never hold back the ones queued after them, however few cores the machine has.
@Suite struct BlockingExecutorTests {
    /// A barrier for `parties` threads that gives up after `timeout` (so that a missing thread fails the test
    /// instead of hanging it).
    final class Barrier: @unchecked Sendable {
        private let condition = NSCondition()
        private var arrived = 0
        let parties: Int

        init(parties: Int) { self.parties = parties }

        /// Whether every party arrived within `timeout`.
        func arriveAndWait(timeout: TimeInterval) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            arrived += 1
            condition.broadcast()
            let deadline = Date().addingTimeInterval(timeout)
            while arrived < parties {
                if !condition.wait(until: deadline) { return arrived >= parties }
            }
            return true
        }
    }

    @Test func sixteenBlockedCallsAllRunAtOnce() async {
        // Four times the mailer's largest concurrency plus token and Graph work: on 2 cores a pool sized to the
        // cores runs 2 of them and lets the others wait until one returns.
        let barrier = Barrier(parties: 16)
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask { await BlockingExecutor.run { barrier.arriveAndWait(timeout: 5) } }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0 }, "only \(results.filter { $0 }.count) of 16 blocking calls ran at the same time")
    }
}
