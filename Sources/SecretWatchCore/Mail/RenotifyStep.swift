import Foundation

/// Re-sends the alarm e-mail for every active, unacknowledged alarm whose last notification is older than
/// `alarms.renotify_interval`. Acknowledged alarms are never re-notified.
public struct RenotifyStep: SchedulerStep {
    public let name = "renotify"
    public let store: Store
    public let mailer: AlarmMailer
    public let interval: TimeInterval

    public init(store: Store, mailer: AlarmMailer, interval: TimeInterval) {
        self.store = store
        self.mailer = mailer
        self.interval = interval
    }

    public func run(now: Date) async throws {
        try renotify(now: now)
    }

    /// Returns the ids of the alarms reminded about.
    @discardableResult
    public func renotify(now: Date) throws -> [Int64] {
        try store.transaction { tx in
            var reminded: [Int64] = []
            let due = try tx.activeAlarms(kinds: AlarmKind.allCases).filter { alarm in
                !alarm.isAcknowledged && mailer.wants(alarm.kind)
                    && now.timeIntervalSince(alarm.notifiedAt ?? alarm.raisedAt) >= interval
            }
            for alarm in due {
                guard let credential = try tx.credential(id: alarm.credentialId) else { continue }
                let mail = AlarmMail(alarm: alarm, credential: credential.credential, occasion: .reminder,
                                     detail: "still active since \(Timestamps.rfc3339(alarm.raisedAt)), not acknowledged", now: now)
                try mailer.queue(mail, kind: .reminder, eventType: .renotified, tx: tx)
                reminded.append(alarm.id)
            }
            return reminded
        }
    }
}
