import Foundation
import Testing
@testable import SecretWatchCore

/// Claiming several outbox messages at once (a delivery worker claims a few in the transaction that records its
/// last attempt), giving them back, and what a crash leaves behind.
@Suite("Outbox claims")
struct OutboxClaimTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func store(queued count: Int) throws -> (Store, [MailMessage]) {
        let store = try MailTestSupport.store(now: t0)
        var messages: [MailMessage] = []
        for i in 0..<count {
            let m = MailTestSupport.message(to: ["a\(i)@contoso.example", "b\(i)@contoso.example"], subject: "m\(i)", date: t0)
            // Queued a second apart, so the due order is the queue order.
            try store.enqueue(m, kind: .test, at: t0.addingTimeInterval(Double(i)))
            messages.append(m)
        }
        return (store, messages)
    }

    @Test("claimDue takes up to the limit of due messages, due first, with their recipients")
    func claimsABatchInDueOrder() throws {
        let (store, queued) = try store(queued: 6)
        let claimed = try store.claimDue(now: t0.addingTimeInterval(4), limit: 3)
        #expect(claimed.map(\.messageId) == queued.prefix(3).map(\.messageId))
        #expect(claimed.allSatisfy { $0.state == .sending })
        #expect(claimed[1].pendingRecipients == ["a1@contoso.example", "b1@contoso.example"])
        #expect(try store.outboxMessages(state: .sending).count == 3)
        // Only two more are due at t0+4 (queued at +3 and +4); the last one is not due yet.
        let more = try store.claimDue(now: t0.addingTimeInterval(4), limit: 3)
        #expect(more.map(\.messageId) == queued[3...4].map(\.messageId))
        #expect(try store.claimDue(now: t0.addingTimeInterval(4), limit: 3).isEmpty)
        #expect(try store.claimDue(now: t0, limit: 0).isEmpty)
        #expect(try store.outboxState().depth == 6, "claimed messages are still in the outbox")
    }

    @Test("released messages are queued again, untouched")
    func releaseReturnsTheBatch() throws {
        let (store, _) = try store(queued: 4)
        let claimed = try store.claimDue(now: t0.addingTimeInterval(10), limit: 4)
        try store.release(outboxIds: claimed.prefix(3).map(\.id))
        let queued = try store.outboxMessages(state: .queued)
        #expect(queued.count == 3)
        #expect(queued.allSatisfy { $0.attempts == 0 })
        #expect(try store.outboxMessages(state: .sending).map(\.id) == [claimed[3].id])
        try store.release(outboxIds: [])
    }

    @Test("a batch claimed by a process that died is re-queued on restart, never counted as attempted")
    func crashLeavesTheBatchQueued() throws {
        let (store, queued) = try store(queued: 5)
        _ = try store.claimDue(now: t0.addingTimeInterval(10), limit: 4)
        // The process dies here: nothing released. The next one opens the same database.
        let reopened = try Store(path: store.path, now: t0)
        #expect(try reopened.recoverInFlight() == 4)
        let all = try reopened.outboxMessages(state: .queued)
        #expect(Set(all.map(\.messageId)) == Set(queued.map(\.messageId)))
        #expect(all.allSatisfy { $0.attempts == 0 })
        #expect(try reopened.deliveries().isEmpty)
    }

    @Test("the outbox gauges count queued and claimed messages and find the oldest in either state")
    func gaugesSeeClaimedMessages() throws {
        let (store, _) = try store(queued: 3)
        #expect(try store.outboxState() == OutboxState(depth: 3, oldestQueuedAt: t0))
        _ = try store.claimDue(now: t0.addingTimeInterval(10), limit: 1)
        #expect(try store.outboxState() == OutboxState(depth: 3, oldestQueuedAt: t0), "the oldest is claimed, not gone")
        let empty = try MailTestSupport.store(now: t0)
        #expect(try empty.outboxState() == OutboxState(depth: 0, oldestQueuedAt: nil))
    }
}
