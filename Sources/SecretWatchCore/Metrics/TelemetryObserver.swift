import Foundation

/// Components report what happened here; the metrics registry (and anything else that needs to know)
/// implements it. Calls are cheap and never block: implementations update in-memory state only.
public protocol TelemetryObserver: Sendable {
    func tokenAttempt(_ attempt: TokenAttempt)
    func delivery(_ delivery: Delivery)
    func schedulerPass(startedAt: Date, duration: TimeInterval, failingSteps: [String])
    func alarmTransition(_ transition: AlarmTransition)
    /// The outbox after a change (the mailer calls it after enqueue, delivery or give-up, and at start-up).
    func outbox(_ state: OutboxState)
    /// A relayed webhook notification for a configured receiver: `status` firing, resolved or unknown (not
    /// readable), `outcome` queued, duplicate or rejected. Called after the commit.
    func relayNotification(receiver: String, status: String, outcome: String)
    /// A SIGHUP reload's result: whether the configuration was accepted (applied or unchanged) or rejected.
    func configReload(successful: Bool, at date: Date)
}

extension TelemetryObserver {
    public func tokenAttempt(_ attempt: TokenAttempt) {}
    public func delivery(_ delivery: Delivery) {}
    public func schedulerPass(startedAt: Date, duration: TimeInterval, failingSteps: [String]) {}
    public func alarmTransition(_ transition: AlarmTransition) {}
    public func outbox(_ state: OutboxState) {}
    public func configReload(successful: Bool, at date: Date) {}
    public func relayNotification(receiver: String, status: String, outcome: String) {}
}

/// Fans one report out to several observers.
public struct TelemetryHub: TelemetryObserver {
    public var observers: [any TelemetryObserver]

    public init(_ observers: [any TelemetryObserver] = []) {
        self.observers = observers
    }

    public func tokenAttempt(_ attempt: TokenAttempt) { observers.forEach { $0.tokenAttempt(attempt) } }
    public func delivery(_ delivery: Delivery) { observers.forEach { $0.delivery(delivery) } }
    public func schedulerPass(startedAt: Date, duration: TimeInterval, failingSteps: [String]) {
        observers.forEach { $0.schedulerPass(startedAt: startedAt, duration: duration, failingSteps: failingSteps) }
    }
    public func alarmTransition(_ transition: AlarmTransition) { observers.forEach { $0.alarmTransition(transition) } }
    public func outbox(_ state: OutboxState) { observers.forEach { $0.outbox(state) } }
    public func relayNotification(receiver: String, status: String, outcome: String) {
        observers.forEach { $0.relayNotification(receiver: receiver, status: status, outcome: outcome) }
    }
    public func configReload(successful: Bool, at date: Date) {
        observers.forEach { $0.configReload(successful: successful, at: date) }
    }
}

/// What the outbox holds right now, as the mailer reports it through `TelemetryObserver.outbox(_:)` after
/// every change (enqueue, delivery, give-up) and once at start-up. The metrics registry exports it as
/// `secretwatch_outbox_messages` and `secretwatch_outbox_oldest_queued_timestamp_seconds`; until a mailer
/// reports, the outbox counts as empty.
public struct OutboxState: Sendable, Equatable {
    /// Messages waiting to be sent (queued or deferred for a retry).
    public var depth: Int
    /// When the oldest waiting message was queued; nil when the outbox is empty.
    public var oldestQueuedAt: Date?

    /// Relay receiver → when its oldest waiting relayed notification was queued (absent: none waiting).
    public var relayOldestQueuedAt: [String: Date]

    public init(depth: Int, oldestQueuedAt: Date?, relayOldestQueuedAt: [String: Date] = [:]) {
        self.depth = depth
        self.oldestQueuedAt = oldestQueuedAt
        self.relayOldestQueuedAt = relayOldestQueuedAt
    }

    public static let empty = OutboxState(depth: 0, oldestQueuedAt: nil)
}
