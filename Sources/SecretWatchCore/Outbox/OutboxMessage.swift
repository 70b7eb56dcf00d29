import Foundation
import Synchronization

/// A queued e-mail as the outbox holds it: the rendered bytes, the recipients still to reach, and where its
/// delivery stands. Written before any attempt, so nothing is lost when the process dies.
public struct OutboxMessage: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case queued, sending, sent, failed
    }

    /// What the mail is about (`alarm`, `reminder`, `test`, or `relay`: a relayed Alertmanager/Grafana notification).
    public enum Kind: String, Sendable, Codable {
        case alarm, reminder, test, relay

        /// Claim order when several are due: 0 (alarm, reminder, test) before 1 (relay), so relayed notifications
        /// never hold up secretwatch's own alarms.
        public var priority: Int { self == .relay ? 1 : 0 }
    }

    public var id: Int64
    public var messageId: String
    public var kind: Kind
    public var alarmId: Int64?
    public var from: String
    public var subject: String
    /// The rendered RFC 5322 message (7-bit), sent unchanged by every attempt.
    public var content: String
    public var state: State
    public var attempts: Int
    public var queuedAt: Date
    public var nextAttemptAt: Date
    public var finishedAt: Date?
    public var lastReason: String?
    public var lastReply: String?
    /// Recipients not yet accepted nor refused for good.
    public var pendingRecipients: [String]
    /// The relay receiver a relayed notification was sent for; nil for other mail.
    public var receiver: String? = nil
}

/// How deep the outbox is, for `/metrics` and the outbox-age alarm (read cheaply: one indexed query).
public struct OutboxSnapshot: Sendable, Equatable {
    /// Messages queued or being sent.
    public var depth: Int
    /// When the oldest of them was queued.
    public var oldestQueuedAt: Date?
    /// The last failure reason of the oldest one.
    public var oldestLastReason: String?
    public var failed: Int
    public var sent: Int
}

/// One attempt to hand a message to the SMTP server, as recorded in `deliveries`.
public struct Delivery: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// The server accepted the message for every recipient.
        case sent
        /// Accepted for some recipients, refused for others.
        case partial
        /// Failed; will be retried.
        case deferred
        /// Failed for good; not retried.
        case failed
    }

    public var id: Int64?
    public var messageId: String
    public var attemptedAt: Date
    public var duration: TimeInterval
    public var recipients: [String]
    public var outcome: Outcome
    public var reason: String?
    public var smtpCode: Int?
    /// Enhanced status code such as `5.7.3`.
    public var enhancedCode: String?
    /// The server's reply text (scrubbed).
    public var reply: String?
    /// The relay receiver of the message (relayed notifications only).
    public var receiver: String?

    public init(id: Int64? = nil, messageId: String, attemptedAt: Date, duration: TimeInterval, recipients: [String],
                outcome: Outcome, reason: String? = nil, smtpCode: Int? = nil, enhancedCode: String? = nil, reply: String? = nil,
                receiver: String? = nil) {
        self.receiver = receiver
        self.id = id
        self.messageId = messageId
        self.attemptedAt = attemptedAt
        self.duration = duration
        self.recipients = recipients
        self.outcome = outcome
        self.reason = reason
        self.smtpCode = smtpCode
        self.enhancedCode = enhancedCode
        self.reply = reply
    }
}

/// One delivery worker's claimed messages: those waiting for their attempt, the one being sent with the time
/// its attempt started, and the outcome of an attempt the store did not take (held until it does). Shared
/// between the worker's task and the blocking thread that sends a series for it
/// (`SMTPSender.send(series:next:)`), which take turns and never use it at the same time; the mutex makes the
/// hand-over safe.
final class ClaimedMessages: Sendable {
    private struct State {
        var waiting: [OutboxMessage] = []
        var inFlight: (message: OutboxMessage, attemptedAt: Date)?
        var held: DeliveryService.Outcome?
    }
    private let state = Mutex(State())

    /// The outcome the store refused to record, if any: the worker writes it before it sends anything else.
    var held: DeliveryService.Outcome? { state.withLock { $0.held } }

    func hold(_ outcome: DeliveryService.Outcome) {
        state.withLock { s in
            precondition(s.held == nil, "a worker holds one unrecorded outcome at most")
            s.held = outcome
        }
    }

    /// The held outcome is recorded now.
    func recordedHeld() {
        state.withLock { $0.held = nil }
    }

    /// No message is waiting (the one in flight does not count).
    var isEmpty: Bool { state.withLock { $0.waiting.isEmpty } }

    func add(_ messages: [OutboxMessage]) {
        guard !messages.isEmpty else { return }
        state.withLock { $0.waiting += messages }
    }

    /// The next waiting message, out of the list (the caller starts it or puts it back).
    func take() -> OutboxMessage? {
        state.withLock { $0.waiting.isEmpty ? nil : $0.waiting.removeFirst() }
    }

    /// Puts a taken message back at the front (its attempt did not start).
    func putBack(_ message: OutboxMessage) {
        state.withLock { $0.waiting.insert(message, at: 0) }
    }

    /// The attempt of `message` starts now.
    func start(_ message: OutboxMessage, at: Date) {
        state.withLock { s in
            precondition(s.inFlight == nil, "a worker sends one message at a time")
            s.inFlight = (message, at)
        }
    }

    /// The attempt in flight ended: returns its message and start time.
    func finish() -> (message: OutboxMessage, attemptedAt: Date) {
        state.withLock { s in
            guard let done = s.inFlight else { preconditionFailure("no attempt in flight") }
            s.inFlight = nil
            return done
        }
    }

    /// Every waiting message, removing them (to release them to the queue).
    func drain() -> [OutboxMessage] {
        state.withLock { s in
            defer { s.waiting = [] }
            return s.waiting
        }
    }
}
