import FoundationEssentials
import Logging

/// What the relay answers a notification it took: queued (committed to the outbox) or a duplicate of one taken
/// within `relay.dedup_window` (nothing queued).
public enum RelayAcceptance: Sendable, Equatable {
    case queued(outboxId: Int64, messageId: String)
    case duplicate(messageId: String)
}

/// Why the relay did not take a notification: the HTTP status, a stable code and a message naming the problem.
public struct RelayRefusal: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    /// Seconds after which sending again can succeed (429), for the Retry-After header.
    public var retryAfter: Int? = nil

    public var description: String { "\(status) \(code): \(message)" }
}

/// Turns one webhook notification into one queued e-mail: validates it (`RelayNotification.parse`), renders it
/// (`RelayMail.render`) and, in ONE store transaction, either finds its de-duplication key within the window
/// (duplicate) or queues the mail (kind `relay`, tagged with the receiver) and records the key. Returns only after
/// the commit: a 200 always means the mail is in the outbox (or was already), and a store that cannot commit
/// leaves nothing behind (503, Alertmanager retries).
public final class RelayIntake: Sendable {
    let store: Store
    let gate: RelayGate
    /// The From of relayed mail: the alarm mail's sender (`notifications.from`), as in force.
    let sender: @Sendable () -> String
    let signal: OutboxSignal?
    let telemetry: any TelemetryObserver
    let logger: Logger

    public init(store: Store, gate: RelayGate, sender: @escaping @Sendable () -> String, signal: OutboxSignal? = nil,
                telemetry: any TelemetryObserver = TelemetryHub(), logger: Logger = Logger(label: "secretwatch.relay")) {
        self.store = store
        self.gate = gate
        self.sender = sender
        self.signal = signal
        self.telemetry = telemetry
        self.logger = logger
    }

    /// Validates, de-duplicates and commits in ONE store transaction; returns only after the commit.
    public func accept(receiver: String, body: [UInt8], now: Date) throws(RelayRefusal) -> RelayAcceptance {
        guard let relay = gate.snapshot.config else {
            throw RelayRefusal(status: 404, code: "not_found", message: "relay is not configured (see docs/relay.md)")
        }
        guard let target = relay.receiver(named: receiver) else {
            throw RelayRefusal(status: 404, code: "not_found", message: "no relay receiver named \"\(VisibleText.escaped(String(receiver.prefix(64))))\"")
        }
        let notification: RelayNotification
        do {
            notification = try RelayNotification.parse(body)
        } catch {
            rejected(receiver: receiver, status: "unknown")
            throw RelayRefusal(status: 400, code: "bad_request", message: "invalid notification: \(error.description)")
        }
        let status = notification.status.rawValue
        let key = notification.deduplicationKey(receiver: receiver)
        let message = RelayMail.render(notification, receiver: receiver, from: sender(), to: target.to, cc: target.cc,
                                       subjectPrefix: target.subjectPrefix, date: now)
        let outcome: Outcome
        do {
            outcome = try store.transaction { tx -> Outcome in
                if relay.dedupWindow > 0,
                   let earlier = try tx.relayNotification(dedupKey: key, since: now.addingTimeInterval(-relay.dedupWindow)) {
                    return .accepted(.duplicate(messageId: earlier.messageId))
                }
                if relay.maxRecipientsPerDay > 0 {
                    let day = try tx.relayRecipients(queuedSince: now.addingTimeInterval(-Self.day))
                    if day.count + message.envelopeRecipients.count > relay.maxRecipientsPerDay {
                        return .overDailyCap(queued: day.count, freesAt: (day.oldest ?? now).addingTimeInterval(Self.day))
                    }
                }
                let id = try tx.enqueueRelay(message, receiver: receiver, at: now)
                try tx.recordRelayNotification(dedupKey: key, receiver: receiver, messageId: message.messageId, outboxId: id, at: now)
                return .accepted(.queued(outboxId: id, messageId: message.messageId))
            }
        } catch let invalid as MailMessage.Invalid {
            rejected(receiver: receiver, status: status)
            logger.error("relay notification not queued: the e-mail cannot be rendered", metadata: [
                "receiver": "\(receiver)", "error": "\(invalid.description)",
            ])
            throw RelayRefusal(status: 500, code: "internal_error", message: "the e-mail cannot be rendered: \(invalid.description)")
        } catch {
            logger.error("relay notification not queued: the database did not commit", metadata: [
                "receiver": "\(receiver)", "error": "\(error)",
            ])
            throw RelayRefusal(status: 503, code: "store_error",
                               message: "the notification could not be stored; nothing was queued, send it again later (the daemon log has the details)")
        }
        let result: RelayAcceptance
        switch outcome {
        case .accepted(let accepted):
            result = accepted
        case .overDailyCap(let queued, let freesAt):
            rejected(receiver: receiver, status: status)
            let wait = max(1, Int(freesAt.timeIntervalSince(now).rounded(.up)))
            logger.warning("relay notification refused: the daily recipient cap is reached; nothing queued", metadata: [
                "receiver": "\(receiver)", "status": "\(status)", "queued_recipients_24h": "\(queued)",
                "max_recipients_per_day": "\(relay.maxRecipientsPerDay)", "retry_after_seconds": "\(wait)",
            ])
            throw RelayRefusal(status: 429, code: "relay_quota_reached",
                               message: "relayed mail to \(queued) recipients was queued in the last 24 hours; this notification "
                                   + "would pass relay.max_recipients_per_day (\(relay.maxRecipientsPerDay)), which keeps the rest of the "
                                   + "mailbox's daily quota for alarm mail; nothing was queued",
                               retryAfter: wait)
        }
        switch result {
        case .queued(let id, let messageId):
            signal?.signal()
            telemetry.relayNotification(receiver: receiver, status: status, outcome: "queued")
            if let state = try? store.outboxState() { telemetry.outbox(state) }
            logger.info("relay notification queued", metadata: [
                "receiver": "\(receiver)", "status": "\(status)", "message_id": "\(messageId)", "outbox_id": "\(id)",
            ])
        case .duplicate(let messageId):
            telemetry.relayNotification(receiver: receiver, status: status, outcome: "duplicate")
            logger.info("relay notification is a duplicate; nothing queued", metadata: [
                "receiver": "\(receiver)", "status": "\(status)", "message_id": "\(messageId)",
            ])
        }
        return result
    }

    static let day: TimeInterval = 86400

    /// What the transaction decided.
    enum Outcome {
        case accepted(RelayAcceptance)
        /// `relay.max_recipients_per_day` would be passed: `queued` recipients in the last 24 hours, and when the
        /// oldest of them leaves the window.
        case overDailyCap(queued: Int, freesAt: Date)
    }

    /// Counts a notification for a configured receiver that was refused (bad token, content type or payload).
    func rejected(receiver: String, status: String) {
        telemetry.relayNotification(receiver: receiver, status: status, outcome: "rejected")
    }
}
