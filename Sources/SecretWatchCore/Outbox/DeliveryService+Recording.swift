import FoundationEssentials
import Logging
import Synchronization

extension DeliveryService {
    /// What one attempt did to one claimed message, until it is written down.
    struct Outcome: Sendable {
        var message: OutboxMessage
        var result: SMTPSendResult
        var attemptedAt: Date
    }

    /// What recording an attempt wrote and read.
    struct Recorded {
        var delivery: Delivery
        /// The worker's next messages, claimed in the same transaction.
        var claimed: [OutboxMessage]
        /// The outbox after the attempt (for the metrics), read when the worker claimed (so during a burst
        /// after every `claimBatch`-th attempt of a worker, and always when its claimed messages run out).
        var outbox: OutboxState?
    }

    /// Counts an attempt in the statistics (once, however often recording its outcome is tried).
    func count(_ attempt: SMTPSender.Attempt) {
        stats.withLock {
            $0.attempts += 1
            $0.tokenRequests += attempt.tokenRequests
            if attempt.retriedAfter535 { $0.retriesAfter535 += 1 }
            if attempt.result.delivered { $0.delivered += 1 }
        }
    }

    /// Records an outcome (blocking: runs on the sending thread or the worker's) and reports it; returns the
    /// messages claimed in the same transaction (at most `claimNext`). Throws when the store does not take it:
    /// the caller keeps the outcome and tries again.
    func record(_ outcome: Outcome, claimNext: Int) throws -> [OutboxMessage] {
        let message = outcome.message
        let recorded = try record(message, outcome.result, attemptedAt: outcome.attemptedAt, recipients: message.pendingRecipients,
                                  claimNext: claimNext)
        let delivery = recorded.delivery
        telemetry.delivery(delivery)
        if let outbox = recorded.outbox { telemetry.outbox(outbox) }
        let level: Logger.Level = delivery.outcome == .sent ? .debug : .warning
        logger.log(level: level, "mail delivery attempt", metadata: [
            "message_id": "\(message.messageId)", "outcome": "\(delivery.outcome.rawValue)",
            "reason": "\(delivery.reason ?? "-")", "reply": "\(delivery.reply ?? "-")",
        ])
        return recorded.claimed
    }

    /// One attempt at one claimed message, recorded; throws when the store does not take the outcome (the
    /// message stays claimed and is queued again at the next start).
    func deliver(_ message: OutboxMessage, with sender: SMTPSender) async throws {
        let attemptedAt = clock.now()
        let attempt = await sender.send(Data(message.content.utf8), from: message.from, to: message.pendingRecipients)
        count(attempt)
        let outcome = Outcome(message: message, result: attempt.result, attemptedAt: attemptedAt)
        _ = try await BlockingExecutor.run { try self.record(outcome, claimNext: 0) }
    }

    /// Writes one attempt down in one transaction: the delivery row, each recipient's state, the message's next
    /// attempt (or its end), and the `mail_delivery_failing` alarm; then, in the same transaction, claims up to
    /// `claimNext` due messages and, when it claims, reads the outbox gauges. One commit per mail instead of
    /// three lock holds.
    func record(_ message: OutboxMessage, _ result: SMTPSendResult, attemptedAt: Date, recipients: [String],
                claimNext: Int = 0) throws -> Recorded {
        let now = clock.now()
        let mailer = settings.mailer
        return try store.transaction { tx in
            let delivery = try Self.write(message, result, attemptedAt: attemptedAt, recipients: recipients, now: now,
                                          mailer: mailer, retry: retry, alarm: alarm, tx)
            let claimed = try tx.claimDue(now: now, limit: claimNext)
            return Recorded(delivery: delivery, claimed: claimed, outbox: claimNext > 0 ? try tx.outboxState() : nil)
        }
    }

    private static func write(_ message: OutboxMessage, _ result: SMTPSendResult, attemptedAt: Date, recipients: [String],
                              now: Date, mailer: MailerConfig, retry: RetryPolicy, alarm: MailDeliveryEvaluator,
                              _ tx: StoreTransaction) throws -> Delivery {
        try tx.updateRecipients(outboxId: message.id, result.recipients, at: now)
        let replyText = result.replyText
        var delivery = Delivery(messageId: message.messageId, attemptedAt: attemptedAt, duration: result.duration,
                                recipients: recipients, outcome: .sent, reason: nil, smtpCode: result.reply?.code,
                                enhancedCode: result.reply?.enhancedCode, reply: replyText)
        let attempts = message.attempts + 1
        if result.delivered {
            let pending = try tx.pendingRecipientCount(outboxId: message.id)
            delivery.outcome = result.refused.isEmpty ? .sent : .partial
            delivery.reason = result.refused.isEmpty ? nil : "recipient_rejected"
            if pending > 0 {
                // Some recipients answered 4xx: only they are tried again.
                let next = now.addingTimeInterval(retry.delay(afterAttempts: attempts, disposition: .transient))
                try tx.finishAttempt(outboxId: message.id, state: .queued, nextAttemptAt: next, reason: "smtp_transient",
                                     reply: replyText, at: now)
            } else {
                try tx.finishAttempt(outboxId: message.id, state: .sent, nextAttemptAt: nil, reason: delivery.reason,
                                     reply: replyText, at: now)
            }
            if result.refused.isEmpty {
                try alarm.delivered(detail: "mail \(message.messageId) was accepted by the SMTP server", at: now, tx: tx)
            } else {
                // The path works, but somebody does not get the alarms: that needs an administrator as much.
                let refused = result.refused.map { "<\($0.address)>" }.joined(separator: ", ")
                let reason = SMTPFailureReason.recipientRejected
                try alarm.failing(reason: reason.rawValue, summary: "the SMTP server refused recipient \(refused)",
                                  detail: "\(reason.message); \(reason.fix)" + (replyText.map { " (server: \($0))" } ?? ""),
                                  at: now, tx: tx)
            }
        } else {
            let failure = result.failure!
            let disposition = SMTPFailureReason.named(failure.reason)?.disposition ?? (failure.transient ? .transient : .blocking)
            delivery.reason = failure.reason
            delivery.reply = replyText ?? failure.detail
            let expired = now.timeIntervalSince(message.queuedAt) >= mailer.giveUpAfter
            if disposition == .permanent || expired {
                delivery.outcome = .failed
                try tx.refuseRemaining(outboxId: message.id, reply: delivery.reply, at: now)
                try tx.finishAttempt(outboxId: message.id, state: .failed, nextAttemptAt: nil,
                                     reason: disposition == .permanent ? failure.reason : "message_expired",
                                     reply: delivery.reply, at: now)
            } else {
                delivery.outcome = .deferred
                let next = now.addingTimeInterval(retry.delay(afterAttempts: attempts, disposition: disposition))
                try tx.finishAttempt(outboxId: message.id, state: .queued, nextAttemptAt: next, reason: failure.reason,
                                     reply: delivery.reply, at: now)
            }
            if disposition != .transient || expired {
                try alarm.failing(reason: failure.reason,
                                  summary: "mail cannot be delivered: \(failure.reason) — \(failure.message)",
                                  detail: "\(failure.message); \(failure.fix)" + (delivery.reply.map { " (server: \($0))" } ?? ""),
                                  at: now, tx: tx)
            }
        }
        delivery.id = try tx.insertDelivery(delivery)
        return delivery
    }
}
