import Foundation
import Synchronization

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
