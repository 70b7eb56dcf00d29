import Foundation
import Testing
@testable import SecretWatchCore

/// Relay mail in the outbox: claimed after alarm mail, tagged with its receiver down to the delivery history, and
/// its de-duplication keys pruned with the finished messages.
@Suite("Relay mail in the outbox")
struct RelayOutboxTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func relayMail(_ i: Int, at: Date) -> MailMessage {
        MailTestSupport.message(to: ["oncall\(i)@contoso.example"], subject: "[FIRING:1] relay \(i)", date: at)
    }

    @Test("with 5 relay mails and 1 alarm mail due, the alarm mail is claimed first")
    func alarmMailIsClaimedBeforeRelayMail() throws {
        let store = try MailTestSupport.store(now: t0)
        var relay: [MailMessage] = []
        try store.transaction { tx in
            for i in 0..<5 {
                let m = relayMail(i, at: t0)
                try tx.enqueueRelay(m, receiver: "ops", at: t0.addingTimeInterval(Double(i)))
                relay.append(m)
            }
        }
        // Queued last, and due last.
        let alarm = MailTestSupport.message(to: ["admin@contoso.example"], subject: "alarm", date: t0)
        try store.enqueue(alarm, kind: .alarm, at: t0.addingTimeInterval(10))
        let now = t0.addingTimeInterval(60)
        let first = try #require(try store.claimNextDue(now: now))
        #expect(first.messageId == alarm.messageId && first.kind == .alarm && first.receiver == nil)
        let rest = try store.claimDue(now: now, limit: 10)
        #expect(rest.map(\.messageId) == relay.map(\.messageId), "relay mail in its own due order")
        #expect(rest.allSatisfy { $0.kind == .relay && $0.receiver == "ops" })
    }

    @Test("a delivery attempt of relay mail carries the receiver; other attempts carry none")
    func deliveriesCarryTheReceiver() throws {
        let store = try MailTestSupport.store(now: t0)
        let relay = relayMail(1, at: t0)
        try store.transaction { tx in _ = try tx.enqueueRelay(relay, receiver: "ops", at: t0) }
        let other = MailTestSupport.message(to: ["admin@contoso.example"], subject: "test", date: t0)
        try store.enqueue(other, kind: .test, at: t0)
        for m in [relay, other] {
            try store.recordDelivery(Delivery(messageId: m.messageId, attemptedAt: t0, duration: 0.1, recipients: m.to, outcome: .sent))
        }
        let rows = try store.deliveries()
        #expect(rows.first { $0.messageId == relay.messageId }?.receiver == "ops")
        #expect(rows.first { $0.messageId == other.messageId }?.receiver == nil)
    }

    @Test("de-duplication keys are found within the window and pruned by the outbox prune")
    func keysAreFoundWithinTheWindowAndPruned() throws {
        let store = try MailTestSupport.store(now: t0)
        let m = relayMail(1, at: t0)
        try store.transaction { tx in
            let id = try tx.enqueueRelay(m, receiver: "ops", at: t0)
            try tx.recordRelayNotification(dedupKey: "k1", receiver: "ops", messageId: m.messageId, outboxId: id, at: t0)
        }
        #expect(try store.transaction { tx in try tx.relayNotification(dedupKey: "k1", since: t0.addingTimeInterval(-600)) }?.messageId == m.messageId)
        #expect(try store.transaction { tx in try tx.relayNotification(dedupKey: "k1", since: t0.addingTimeInterval(1)) } == nil)
        #expect(try store.transaction { tx in try tx.relayNotification(dedupKey: "k2", since: t0.addingTimeInterval(-600)) } == nil)
        try store.pruneOutbox(finishedBefore: t0.addingTimeInterval(1))
        #expect(try store.transaction { tx in try tx.relayNotification(dedupKey: "k1", since: .distantPast) } == nil)
    }
}
