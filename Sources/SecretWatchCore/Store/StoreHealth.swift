import FoundationEssentials
import Logging
import Synchronization

/// Whether the database takes writes, as this process sees it. `Store` reports every operation that fails
/// for a storage reason (`StoreFailureReason`: disk full, I/O error, read-only, ...) and every operation that
/// wrote rows; reads that succeed and commits that changed nothing prove nothing and are not reported.
///
/// `failuresBeforeAlarm` consecutive failures make a *persistent* failure (an `Episode`): `/readyz` answers 503,
/// `secretwatch_store_failing` is 1, and `store_failing` is due. That alarm lives in the database, which does not
/// take it while the failure lasts, so "raised" means this in-memory state; `StoreHealthStep` writes the alarm
/// (raised at the time the failure became persistent, and cleared) as soon as a write succeeds again, and the
/// episode is kept until then. Only memory is touched here: reporting never fails and never waits on the store.
public final class StoreHealth: Sendable {
    /// One persistent failure: from its first failed operation to the first successful write after it.
    public struct Episode: Sendable, Equatable {
        public var since: Date
        /// When the failure became persistent (the alarm's raise time).
        public var persistentAt: Date
        public var reason: StoreFailureReason
        /// The last error's text (SQLite's message and what secretwatch was doing; never a secret).
        public var error: String
        /// Failed operations during the episode.
        public var failures: Int
        /// The first successful write after it; nil while it lasts.
        public var endedAt: Date?
    }

    /// The first operation that found the database file damaged (SQLITE_CORRUPT, SQLITE_NOTADB).
    public struct Damage: Sendable, Equatable {
        public var at: Date
        /// SQLite's message and what secretwatch was doing.
        public var error: String
    }

    public struct Status: Sendable, Equatable {
        public var consecutiveFailures = 0
        /// First failure of the current run of failures.
        public var failingSince: Date?
        public var lastReason: StoreFailureReason?
        public var lastError: String?
        /// Failed operations since start, by reason.
        public var failures: [StoreFailureReason: Int] = [:]
        /// The current persistent failure, or the last one until `StoreHealthStep` has written it down.
        public var episode: Episode?
        /// Set by the first operation that found the file damaged, and kept: a damaged file does not mend itself
        /// (a write to a healthy page proves nothing), so `/readyz` answers 503 until a restart.
        public var damage: Damage?

        /// A persistent failure is going on.
        public var persistent: Bool { episode != nil && episode?.endedAt == nil }
    }

    public let failuresBeforeAlarm: Int
    private let clock: any WallClock
    private let logger: Logger
    private let state = Mutex(Status())
    private let recoveryObservers = Mutex<[@Sendable () -> Void]>([])

    public init(clock: any WallClock = SystemClock(), failuresBeforeAlarm: Int = 3,
                logger: Logger = Logger(label: "secretwatch.store")) {
        precondition(failuresBeforeAlarm >= 1, "failuresBeforeAlarm must be at least 1")
        self.clock = clock
        self.failuresBeforeAlarm = failuresBeforeAlarm
        self.logger = logger
    }

    public var status: Status { state.withLock { $0 } }

    /// `body` runs whenever a persistent failure ends (the delivery workers wake up instead of finishing their
    /// backoff). It runs on the thread that wrote, with the store locked: it must not use the store.
    public func onRecovery(_ body: @escaping @Sendable () -> Void) {
        recoveryObservers.withLock { $0.append(body) }
    }

    /// An operation failed; errors without a storage reason are ignored.
    func failed(_ error: StoreError) {
        guard let reason = error.reason else { return }
        let now = clock.now()
        // On one line: the context may quote a multi-line statement.
        let text = error.description.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let damaged = reason == .corrupt && state.withLock { s in
            guard s.damage == nil else { return false }
            s.damage = Damage(at: now, error: text)
            return true
        }
        if damaged {
            logger.error("the database file is damaged; /readyz answers 503 until secretwatch restarts", metadata: [
                "error": "\(text)", "fix": "\(StoreFailureReason.corrupt.fix)",
            ])
        }
        let began = state.withLock { s -> Episode? in
            s.consecutiveFailures += 1
            s.failingSince = s.failingSince ?? now
            s.lastReason = reason
            s.lastError = text
            s.failures[reason, default: 0] += 1
            if var episode = s.episode {
                episode.failures += 1
                episode.reason = reason
                episode.error = text
                // Ended, but not written down yet: a new persistent run continues it (one alarm, no flapping).
                let resumes = episode.endedAt != nil && s.consecutiveFailures >= failuresBeforeAlarm
                if resumes { episode.endedAt = nil }
                s.episode = episode
                return resumes ? episode : nil
            }
            guard s.consecutiveFailures >= failuresBeforeAlarm else { return nil }
            let episode = Episode(since: s.failingSince ?? now, persistentAt: now, reason: reason, error: text,
                                  failures: s.consecutiveFailures)
            s.episode = episode
            return episode
        }
        if let began {
            logger.error("the database does not accept writes", metadata: [
                "reason": "\(reason.rawValue)", "failures": "\(began.failures)",
                "since": "\(Timestamps.rfc3339(began.since))", "error": "\(text)",
            ])
        }
    }

    /// An operation wrote rows: the database takes writes.
    /// Runs after every successful write: costs a lock when nothing failed before.
    func wrote() {
        let ended = state.withLock { s -> Episode? in
            guard s.consecutiveFailures > 0 else { return nil }
            s.consecutiveFailures = 0
            s.failingSince = nil
            guard var episode = s.episode, episode.endedAt == nil else { return nil }
            episode.endedAt = clock.now()
            s.episode = episode
            return episode
        }
        guard let ended, let endedAt = ended.endedAt else { return }
        logger.notice("the database accepts writes again", metadata: [
            "reason": "\(ended.reason.rawValue)", "failures": "\(ended.failures)",
            "failing_for": "\(DurationText.format(endedAt.timeIntervalSince(ended.since).rounded()))",
        ])
        for observer in recoveryObservers.withLock({ $0 }) { observer() }
    }

    /// `StoreHealthStep` has written `episode` down (its alarm raised and cleared): forget it. An episode that
    /// resumed meanwhile is kept and written again once it ends.
    func written(_ episode: Episode) {
        state.withLock { s in
            if let current = s.episode, current.endedAt != nil, current.endedAt == episode.endedAt {
                s.episode = nil
            }
        }
    }
}
