import FoundationEssentials
import Logging
import ServiceLifecycle

/// What a worker does when the store fails under it (disk full, I/O error, read-only, busy).
///
/// It stops sending: it neither claims new mail nor starts the next claimed message. An attempt whose outcome
/// the store refused — often a mail the server has just accepted — is held in memory and written first when the
/// store takes writes again, so the message is not sent a second time. Between tries the worker waits like a
/// transient SMTP failure does (`RetryPolicy`: doubling from `mailer.retry_initial`, at most `mailer.retry_max`);
/// new mail or the store's recovery (`StoreHealth.onRecovery`) ends the wait early. Only a crash or a shutdown
/// while an outcome is held leaves that message to be sent again at the next start, with the same Message-ID.
extension DeliveryService {
    /// Waits before the next store operation after `failures` consecutive ones failed.
    func backOff(after failures: Int, seen: UInt64, before limit: Date? = nil) async {
        let wake = min(clock.now().addingTimeInterval(retry.delay(afterAttempts: failures, disposition: .transient)),
                       limit ?? .distantFuture)
        await cancelWhenGracefulShutdown {
            await self.signal.wait(after: seen, until: wake, clock: self.clock)
        }
    }

    /// Puts mail a previous run left claimed back in the queue before the workers start; on a store that takes
    /// no writes it waits and tries again instead of stopping the mailer. False when shutdown came first.
    func requeueInFlight() async -> Bool {
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let seen = signal.generation
            do {
                let recovered = try store.recoverInFlight()
                if recovered > 0 {
                    logger.notice("re-queued mail that was being sent when secretwatch stopped", metadata: ["count": "\(recovered)"])
                }
                return true
            } catch {
                failures += 1
                logger.log(level: .error, "cannot re-queue mail claimed before the last stop; retrying later",
                           metadata: ["error": "\(error)"], limitedBy: logLimiter)
                await backOff(after: failures, seen: seen)
            }
        }
        return false
    }

    /// Logs (rate-limited) that the store did not take an outcome, which the worker now holds.
    func unrecorded(_ outcome: Outcome, _ error: any Error) {
        logger.log(level: .error, "cannot record a delivery attempt; holding its outcome and sending nothing until it is recorded",
                   metadata: ["message_id": "\(outcome.message.messageId)", "delivered": "\(outcome.result.delivered)",
                              "error": "\(error)"],
                   limitedBy: logLimiter)
    }

    /// A worker's last act: a held outcome gets one more try, claimed messages not attempted go back to the queue.
    func stopped(_ claimed: ClaimedMessages) {
        if let held = claimed.held {
            do {
                _ = try record(held, claimNext: 0)
                claimed.recordedHeld()
            } catch {
                logger.error("stopping with a delivery attempt unrecorded: the message is sent again at the next start (same Message-ID)",
                             metadata: ["message_id": "\(held.message.messageId)", "delivered": "\(held.result.delivered)",
                                        "error": "\(error)"])
            }
        }
        let unsent = claimed.drain()
        guard !unsent.isEmpty else { return }
        do {
            try store.release(outboxIds: unsent.map(\.id))
        } catch {
            logger.error("cannot return claimed mail to the outbox; it is queued again at the next start",
                         metadata: ["count": "\(unsent.count)", "error": "\(error)"])
        }
    }
}
