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
