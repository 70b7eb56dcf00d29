import FoundationEssentials

/// Writes the `store_failing` alarm from `StoreHealth`. A critical system alarm, filed under the SMTP
/// credential like `mail_delivery_failing`.
///
/// While the database does not take writes the alarm cannot be written either: `/readyz`, the
/// `secretwatch_store_failing` gauge and the daemon's log carry it, and every pass makes one small write to find
/// out whether the failure is over (while it is not, that write fails and the pass reports this step as
/// failing). The first pass after the store takes writes again writes the alarm raised — at the time the
/// failure became persistent — and cleared, in one transaction, each with its e-mail. An alarm found active
/// (left by an earlier run) while the store works is cleared.
public struct StoreHealthStep: SchedulerStep {
    public let name = "store_health"
    public let engine: AlarmEngine
    /// The credential the alarm is filed under (the SMTP one).
    public let credentialName: String

    public init(engine: AlarmEngine, credentialName: String) {
        self.engine = engine
        self.credentialName = credentialName
    }

    public func run(now: Date) async throws {
        let store = engine.store
        guard store.health.status.episode != nil else {
            try clearLeftover(now: now)
            return
        }
        if store.health.status.persistent {
            // Throws while writes still fail; when it lands, the failure is over.
            try store.setMeta("store_health.checked_at", Timestamps.rfc3339(now))
        }
        guard let episode = store.health.status.episode, let ended = episode.endedAt else { return }
        try store.transaction { tx in
            guard let credential = try tx.credential(named: credentialName) else { return }
            let alarm = try active(credential, tx) ?? raise(episode, for: credential, tx)
            try clear(alarm, episode, at: ended, for: credential, tx)
        }
        store.health.written(episode)
    }

    private func active(_ credential: CredentialRecord, _ tx: StoreTransaction) throws -> Alarm? {
        try tx.activeAlarms(kinds: [.storeFailing]).first { $0.credentialId == credential.id }
    }

    private func raise(_ episode: StoreHealth.Episode, for credential: CredentialRecord, _ tx: StoreTransaction) throws -> Alarm {
        let reason = episode.reason
        return try engine.raise(.storeFailing, for: credential, severity: .critical, reason: reason.rawValue,
                                summary: "the database \(engine.store.path) does not accept writes: \(reason.message)",
                                detail: "\(episode.failures) database operation(s) failed since \(Timestamps.rfc3339(episode.since)) (\(reason.rawValue)); last error: \(episode.error); \(reason.fix)",
                                at: episode.persistentAt, tx: tx)
    }

    private func clear(_ alarm: Alarm, _ episode: StoreHealth.Episode, at ended: Date, for credential: CredentialRecord,
                       _ tx: StoreTransaction) throws {
        let lasted = DurationText.format(ended.timeIntervalSince(episode.since).rounded())
        try engine.clear(alarm, credential: credential,
                         detail: "the database accepts writes again since \(Timestamps.rfc3339(ended)) (it failed for \(lasted), \(episode.failures) failed operation(s), last reason \(episode.reason.rawValue))",
                         at: ended, tx: tx)
    }

    private func clearLeftover(now: Date) throws {
        let store = engine.store
        guard try !store.read({ tx in try tx.activeAlarms(kinds: [.storeFailing]) }).isEmpty else { return }
        try store.transaction { tx in
            guard let credential = try tx.credential(named: credentialName), let alarm = try active(credential, tx) else { return }
            try engine.clear(alarm, credential: credential, detail: "the database accepts writes", at: now, tx: tx)
        }
    }
}
