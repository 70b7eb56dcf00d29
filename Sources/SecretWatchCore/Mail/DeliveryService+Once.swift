import Foundation

extension DeliveryService {
    /// One bounded delivery round (`secretwatch run --once`): the workers deliver what is due, retry transient
    /// failures whose next attempt still falls before `deadline`, and stop once nothing more is due before it
    /// (or it has passed: an attempt in flight then finishes, bounded by the SMTP timeouts). Messages claimed but
    /// not attempted go back to the queue. Mail backing off past the deadline stays queued for a later round.
    public func deliverDue(until deadline: Date) async throws -> OutboxRound {
        let start = clock.now()
        let recovered = try store.recoverInFlight()
        if recovered > 0 {
            logger.notice("re-queued mail that was being sent when secretwatch stopped", metadata: ["count": "\(recovered)"])
        }
        let workers = settings.mailer.concurrency
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<workers {
                group.addTask { await self.worker(index, until: deadline) }
            }
        }
        let round = try store.outboxRound(since: start, deadline: deadline)
        if round.waiting > 0 {
            logger.info("mail left queued for a later attempt", metadata: [
                "count": "\(round.waiting)", "next_attempt_at": "\(round.nextAttemptAt.map(Timestamps.rfc3339) ?? "-")",
            ])
        }
        return round
    }
}
