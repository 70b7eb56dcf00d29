import Foundation
import Logging
import Synchronization
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// What the engine tells the world about an alarm change (its log line, telemetry, the outbox wake-up) happens
/// once the change is committed, and never for a change that was rolled back.
@Suite struct AlarmEngineTests {
    final class Transitions: TelemetryObserver {
        let seen = Mutex<[String]>([])
        func alarmTransition(_ transition: AlarmTransition) {
            seen.withLock { $0.append("\(transition.type.rawValue) \(transition.alarm.kind.rawValue)") }
        }
    }

    struct Boom: Error {}

    @Test func aRolledBackAlarmChangeIsNeitherLoggedNorCountedNorMailedAbout() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("sw.db"))
        let now = Date.utc("2027-01-01T00:00:00Z")
        let record = try #require(try store.syncCredentials([Credential(
            name: "portal", displayName: nil, tenantId: "t.example.com", clientId: TestConfig.client, mailbox: nil,
            expiresAt: now.addingTimeInterval(-86400), hasSecret: false)], now: now).first)
        let sink = MemoryLogSink()
        let logger = Logger(label: "secretwatch.alarms") { KeyValueLogHandler(label: $0, level: .info, sink: sink) }
        let telemetry = Transitions()
        let signal = OutboxSignal()
        let mailer = AlarmMailer(notifications: MailTestSupport.notifications(), signal: signal, clock: ManualClock(now: now))
        let engine = AlarmEngine(store: store, observers: [mailer], telemetry: telemetry, logger: logger)

        #expect(throws: Boom.self) {
            try store.transaction { tx in
                try engine.raise(.clientSecretExpired, for: record, severity: .critical, summary: "expired",
                                 detail: "expired", at: now, tx: tx)
                throw Boom()
            }
        }
        #expect(try store.activeAlarms().isEmpty && store.outboxMessages(limit: 10).isEmpty)
        #expect(!sink.lines.contains { $0.contains("alarm raised") }, "\(sink.lines)")
        #expect(telemetry.seen.withLock { $0 }.isEmpty)
        #expect(signal.generation == 0, "the outbox was woken for mail that was never queued")

        try store.transaction { tx in
            try engine.raise(.clientSecretExpired, for: record, severity: .critical, summary: "expired",
                             detail: "expired", at: now, tx: tx)
        }
        #expect(sink.lines.filter { $0.contains("alarm raised") }.count == 1, "\(sink.lines)")
        #expect(telemetry.seen.withLock { $0 } == ["raised client_secret_expired"])
        #expect(signal.generation == 1, "the committed mail wakes the outbox once")
    }
}
