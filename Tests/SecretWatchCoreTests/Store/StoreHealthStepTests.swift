import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// `store_failing` in the database: not writable while the disk is full (the step's probe fails and nothing is
/// written), written raised — at the time the failure became persistent — and cleared, each with its e-mail, by
/// the first pass after the disk has room again; an alarm left active by an earlier run is cleared once writes work.
@Suite struct StoreHealthStepTests {
    static let start = Date.utc("2027-01-01T00:00:00Z")

    struct Setup {
        let clock = ManualClock(now: StoreHealthStepTests.start)
        let store: Store
        let engine: AlarmEngine
        let step: StoreHealthStep

        init(path: String) throws {
            store = try Store(path: path, now: clock.now(), health: StoreHealth(clock: clock))
            try store.syncCredentials([MailTestSupport.smtpConfig(port: 1, caFile: nil).auth.credential], now: clock.now())
            let mailer = AlarmMailer(notifications: MailTestSupport.notifications(includeSystem: true), clock: clock)
            engine = AlarmEngine(store: store, observers: [mailer])
            step = StoreHealthStep(engine: engine, credentialName: "smtp")
        }

        func storeAlarms() throws -> [Alarm] { try store.alarms(AlarmFilter(kind: .storeFailing)) }
    }

    @Test(.enabled(if: SmallVolume.mountPermitted, SmallVolume.skipReason))
    func theAlarmIsWrittenRaisedAndClearedOnceTheDiskHasRoomAgain() async throws {
        let volume = try SmallVolume(size: "2m")
        defer { try? volume.unmount() }
        let s = try Setup(path: volume.path("secretwatch.db"))
        try await s.step.run(now: s.clock.now())
        #expect(try s.storeAlarms().isEmpty, "a healthy store raises nothing")

        try volume.fill()
        for _ in 0..<3 {
            #expect(throws: StoreError.self) { try s.store.setMeta("probe", StoreHealthTests.bulky) }
            s.clock.advance(by: 20)
        }
        #expect(s.store.health.status.persistent)
        // The pass cannot write the alarm: its probe fails (one more failed write) and the database holds nothing.
        await #expect(throws: StoreError.self) { try await s.step.run(now: s.clock.now()) }
        #expect(try s.storeAlarms().isEmpty)
        #expect(s.store.health.status.episode?.failures == 4)

        try volume.free()
        s.clock.advance(by: 60)
        try await s.step.run(now: s.clock.now())
        let alarm = try #require(try s.storeAlarms().first)
        #expect(try s.storeAlarms().count == 1)
        #expect(alarm.state == .cleared && alarm.severity == .critical && alarm.reason == "disk_full")
        #expect(alarm.raisedAt == Self.start.addingTimeInterval(40), "raised when the third failure made it persistent")
        #expect(alarm.clearedAt == s.clock.now(), "cleared at the pass's probe, the first write that landed")
        #expect(alarm.summary.contains("does not accept writes: the file system that holds the database is full"))
        let events = try s.store.events(alarmId: alarm.id)
        #expect(events.map(\.type) == [.raised, .notified, .cleared, .notified])
        #expect(events[0].detail.contains("4 database operation(s) failed since 2027-01-01T00:00:00Z (disk_full)"), "\(events[0].detail)")
        #expect(events[2].detail.contains("the database accepts writes again since"), "\(events[2].detail)")
        let mails = try s.store.outboxMessages(limit: 10).filter { $0.kind == .alarm }
        #expect(mails.count == 2)
        #expect(mails.contains { $0.subject.contains("CRITICAL store_failing") })
        #expect(mails.contains { $0.subject.contains("CLEARED store_failing") })
        let smtp = try #require(try s.store.credential(named: "smtp")).credential
        let body = AlarmMail(alarm: alarm, credential: smtp, occasion: .raised, detail: events[0].detail, now: alarm.raisedAt).body
        #expect(body.contains("Fix: free space on that file system"), "\(body)")
        #expect(s.store.health.status.episode == nil, "written down: forgotten")

        // Later passes have nothing to do.
        try await s.step.run(now: s.clock.now())
        #expect(try s.storeAlarms().count == 1)
    }

    @Test func anAlarmLeftActiveByAnEarlierRunIsClearedOnceWritesWork() async throws {
        let dir = TemporaryDirectory()
        let s = try Setup(path: dir.file("secretwatch.db"))
        let credential = try #require(try s.store.credential(named: "smtp"))
        try s.store.transaction { tx in
            _ = try s.engine.raise(.storeFailing, for: credential, severity: .critical, reason: "disk_full",
                                   summary: "the database does not accept writes", detail: "test", at: s.clock.now(), tx: tx)
        }
        s.clock.advance(by: 600)
        try await s.step.run(now: s.clock.now())
        let alarm = try #require(try s.storeAlarms().first)
        #expect(alarm.state == .cleared && alarm.clearedAt == s.clock.now())
    }
}
