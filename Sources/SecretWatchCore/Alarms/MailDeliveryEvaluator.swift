import FoundationEssentials

/// Keeps `mail_delivery_failing` (a system alarm on the SMTP credential) in step with the outbox: raised when
/// a send fails with a non-transient reason or the oldest queued message is too old, its reason updated when
/// the failure changes, cleared when a message goes out. Every call runs inside the caller's transaction.
public struct MailDeliveryEvaluator: Sendable {
    public let engine: AlarmEngine
    /// The credential the alarm is filed under (the SMTP one).
    public let credentialName: String

    public init(engine: AlarmEngine, credentialName: String) {
        self.engine = engine
        self.credentialName = credentialName
    }

    /// Raises the alarm, or updates its reason when it is already active for another one.
    public func failing(reason: String, summary: String, detail: String, at: Date, tx: StoreTransaction) throws {
        guard let credential = try tx.credential(named: credentialName) else { return }
        if let active = try tx.activeAlarms(kinds: [.mailDeliveryFailing]).first(where: { $0.credentialId == credential.id }) {
            guard active.reason != reason else { return }
            try engine.update(active, credential: credential, type: .updated, severity: .major, thresholdDays: nil,
                              reason: reason, summary: summary, detail: detail, at: at, tx: tx)
            return
        }
        try engine.raise(.mailDeliveryFailing, for: credential, severity: .major, reason: reason, summary: summary,
                         detail: detail, at: at, tx: tx)
    }

    /// Clears the alarm (a message went out). Runs for every delivered mail: when no such alarm is active (the
    /// usual case) it costs one indexed query, not two.
    public func delivered(detail: String, at: Date, tx: StoreTransaction) throws {
        let active = try tx.activeAlarms(kinds: [.mailDeliveryFailing])
        guard !active.isEmpty, let credential = try tx.credential(named: credentialName) else { return }
        for active in active where active.credentialId == credential.id {
            try engine.clear(active, credential: credential, detail: detail, at: at, tx: tx)
        }
    }

    /// The outbox-age rule: raises the alarm when the oldest queued message waits longer than `maxAge`.
    public func checkAge(maxAge: TimeInterval, now: Date) throws {
        let snapshot = try engine.store.outboxSnapshot()
        guard let oldest = snapshot.oldestQueuedAt, now.timeIntervalSince(oldest) > maxAge else { return }
        let reason = snapshot.oldestLastReason ?? "smtp_transient"
        try engine.store.transaction { tx in
            try failing(reason: reason,
                        summary: "\(snapshot.depth) mail(s) waiting in the outbox, the oldest since \(Timestamps.rfc3339(oldest))",
                        detail: "the oldest queued mail has waited \(DurationText.format(now.timeIntervalSince(oldest).rounded())) (more than \(DurationText.format(maxAge))); last failure: \(reason)",
                        at: now, tx: tx)
        }
    }
}

/// Raises `mail_delivery_failing` when the oldest queued mail has waited longer than `mailer.alarm_after`, and
/// drops finished messages after `retention` (their attempts stay in the delivery history).
public struct OutboxAgeStep: SchedulerStep {
    public let name = "outbox_age"
    public let alarm: MailDeliveryEvaluator
    public let maxAge: TimeInterval
    public let retention: TimeInterval

    public init(alarm: MailDeliveryEvaluator, maxAge: TimeInterval, retention: TimeInterval = 30 * 86400) {
        self.alarm = alarm
        self.maxAge = maxAge
        self.retention = retention
    }

    public func run(now: Date) async throws {
        try alarm.checkAge(maxAge: maxAge, now: now)
        try alarm.engine.store.pruneOutbox(finishedBefore: now.addingTimeInterval(-retention))
        // Every pass refreshes the outbox gauges, so newly queued alarm mail shows even before a worker wakes.
        alarm.engine.telemetry.outbox(try alarm.engine.store.outboxState())
    }
}
