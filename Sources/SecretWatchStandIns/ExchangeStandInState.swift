import Foundation
import Synchronization

/// The state the Exchange stand-in's connection threads and its owner share: behaviours, the per-mailbox session
/// slots, counters and accepted messages. Every access takes the one lock, briefly.
final class ExchangeStandInState: Sendable {
    private struct Inner {
        var fallback: ExchangeStandInBehaviour = .normal
        var byMailbox: [String: ExchangeStandInBehaviour] = [:]
        var queue: [ExchangeStandInBehaviour] = []
        var unknownRecipients: Set<String>
        var sessionsPerMailbox: Int?
        var acceptDelay: TimeInterval = 0
        var slots: [String: Int] = [:]
        var counters = ExchangeStandInCounters()
        var messages: [AcceptedMessage] = []
    }

    private let inner: Mutex<Inner>

    init(unknownRecipients: Set<String>, sessionsPerMailbox: Int?) {
        inner = Mutex(Inner(unknownRecipients: Set(unknownRecipients.map { $0.lowercased() }),
                            sessionsPerMailbox: sessionsPerMailbox))
    }

    // MARK: behaviours

    func setFallback(_ behaviour: ExchangeStandInBehaviour) { inner.withLock { $0.fallback = behaviour } }

    func setBehaviour(_ behaviour: ExchangeStandInBehaviour?, forMailbox mailbox: String) {
        inner.withLock { $0.byMailbox[mailbox.lowercased()] = behaviour }
    }

    func enqueue(_ behaviours: [ExchangeStandInBehaviour]) { inner.withLock { $0.queue += behaviours } }

    /// The next queued one-session behaviour, if any.
    func takeQueued() -> ExchangeStandInBehaviour? {
        inner.withLock { $0.queue.isEmpty ? nil : $0.queue.removeFirst() }
    }

    /// The behaviour in force for a session: its queued one, else its mailbox's, else the default.
    func behaviour(pinned: ExchangeStandInBehaviour?, mailbox: String?) -> ExchangeStandInBehaviour {
        if let pinned { return pinned }
        return inner.withLock { s in mailbox.flatMap { s.byMailbox[$0] } ?? s.fallback }
    }

    func setUnknownRecipients(_ addresses: Set<String>) {
        inner.withLock { $0.unknownRecipients = Set(addresses.map { $0.lowercased() }) }
    }

    func isUnknownRecipient(_ address: String) -> Bool {
        inner.withLock { $0.unknownRecipients.contains(address.lowercased()) }
    }

    func setSessionsPerMailbox(_ cap: Int?) { inner.withLock { $0.sessionsPerMailbox = cap } }

    func setAcceptDelay(_ seconds: TimeInterval) { inner.withLock { $0.acceptDelay = max(0, seconds) } }
    var acceptDelay: TimeInterval { inner.withLock { $0.acceptDelay } }

    // MARK: session slots (Exchange's 3 concurrent connections per mailbox)

    /// Takes one of the mailbox's session slots; false when all are taken.
    func acquireSlot(_ mailbox: String) -> Bool {
        inner.withLock { s in
            if let cap = s.sessionsPerMailbox, s.slots[mailbox, default: 0] >= cap { return false }
            s.slots[mailbox, default: 0] += 1
            return true
        }
    }

    func releaseSlot(_ mailbox: String) {
        inner.withLock { s in
            s.slots[mailbox, default: 0] -= 1
            if s.slots[mailbox] == 0 { s.slots[mailbox] = nil }
        }
    }

    /// Authenticated sessions holding a slot of `mailbox` now.
    func sessions(of mailbox: String) -> Int { inner.withLock { $0.slots[mailbox.lowercased(), default: 0] } }

    // MARK: counting

    func sessionStarted() { inner.withLock { $0.counters.connections += 1; $0.counters.activeSessions += 1 } }
    func sessionEnded() { inner.withLock { $0.counters.activeSessions -= 1 } }
    func authSucceeded() { inner.withLock { $0.counters.authSuccesses += 1 } }
    func authFailed() { inner.withLock { $0.counters.authFailures += 1 } }

    /// Counts a 4xx/5xx reply by its first two words (`"535 5.7.3"`).
    func failureReplied(_ reply: String) {
        let key = reply.split(separator: " ").prefix(2).joined(separator: " ")
        inner.withLock { $0.counters.failureReplies[key, default: 0] += 1 }
    }

    func accepted(_ message: AcceptedMessage) {
        inner.withLock { $0.messages.append(message); $0.counters.messagesAccepted += 1 }
    }

    var counters: ExchangeStandInCounters { inner.withLock { $0.counters } }
    var messages: [AcceptedMessage] { inner.withLock { $0.messages } }
}

/// How the Exchange stand-in answers, beyond its normal protocol checks. Each failure gives Exchange Online's
/// reply at the step where Exchange gives it. The raw values are the names the control interface and the
/// `secretwatch-standins` flags use.
public enum ExchangeStandInBehaviour: String, Sendable, CaseIterable {
    /// Exchange as configured: allowed mailboxes, accepted tokens, the per-mailbox session cap.
    case normal
    /// `535 5.7.3 Authentication unsuccessful [...]` for every AUTH (the token is refused).
    case tokenRefused = "token_refused"
    /// `535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. ...`
    case smtpAuthDisabled = "smtp_auth_disabled"
    /// `550 5.7.60 SMTP; Client does not have permissions to send as this sender` at MAIL FROM.
    case sendAsDenied = "send_as_denied"
    /// `554 5.2.252 SendAsDenied; ...` after the message was sent (end of DATA).
    case sendAsDeniedAfterData = "send_as_denied_after_data"
    /// `432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded` at MAIL FROM (also given for real to a
    /// mailbox's session beyond the configured cap).
    case concurrencyLimit = "concurrency_limit"
    /// `554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; ...` after DATA.
    case quotaExceeded = "quota_exceeded"
    /// `421 4.7.66 TLS 1.0 and 1.1 are not supported. ...` to the first command after the TLS handshake, then
    /// the connection closes.
    case tlsVersion = "tls_version"
    /// `451 4.7.500 Server busy. Please try again later ...` at MAIL FROM (temporary).
    case temporaryFailure = "temporary_failure"
}

/// What the Exchange stand-in has seen so far (a snapshot).
public struct ExchangeStandInCounters: Sendable, Equatable, Codable {
    /// Connections whose SMTP conversation started (after the TLS handshake for implicit TLS).
    public var connections = 0
    public var authSuccesses = 0
    public var authFailures = 0
    public var messagesAccepted = 0
    /// Conversations going on now.
    public var activeSessions = 0
    /// Failure replies sent, by code and enhanced code: `"535 5.7.3": 2`.
    public var failureReplies: [String: Int] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case connections
        case authSuccesses = "auth_successes"
        case authFailures = "auth_failures"
        case messagesAccepted = "messages_accepted"
        case activeSessions = "active_sessions"
        case failureReplies = "failure_replies"
    }
}

/// A message the Exchange stand-in queued "for delivery" (`250 2.0.0 OK`).
public struct AcceptedMessage: Sendable, Equatable {
    /// 1, 2, 3… in the order the stand-in accepted messages (also the `.eml` file name's prefix).
    public var sequence: Int
    /// The authenticated mailbox (the XOAUTH2 user), lower-cased.
    public var mailbox: String
    public var mailFrom: String
    public var recipients: [String]
    /// The `Message-ID` header without angle brackets; a generated one when the message had none.
    public var messageId: String
    /// Headers and body as received, dot-unstuffed, line ends untouched.
    public var data: Data
    /// The `.eml` file, when a mail directory is configured.
    public var file: String?
}
