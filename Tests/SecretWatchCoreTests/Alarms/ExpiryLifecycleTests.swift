import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

@Suite("Expiry alarm lifecycle over a simulated year")
struct ExpiryLifecycleTests {
    let start = Date.utc("2027-01-01T00:00:00Z")
    var expiry: Date { start.addingTimeInterval(200 * 86400) }

    func portalYAML(expires: Date) -> String {
        """
        credentials:
          - name: portal
            display_name: Guest portal app
            tenant_id: \(TestConfig.tenant)
            client_id: \(TestConfig.otherClient)
            secret_expires: \(Timestamps.rfc3339(expires))
        """
    }

    func eventSummary(_ store: Store, kind: AlarmKind, credential: String) throws -> [String] {
        // Alarms of this kind numbered #1, #2… in the order they were raised.
        let alarms = try store.alarms(AlarmFilter(kind: kind, credential: credential, limit: 100)).reversed()
        return try alarms.enumerated().flatMap { index, alarm in
            try transitions(store, alarm.id).map { e in
                "#\(index + 1) \(Timestamps.day(e.at)) \(e.type.rawValue) \(e.severity?.rawValue ?? "-")"
            }
        }
    }

    /// The alarm's events without the e-mail bookkeeping (`notified` / `renotified`).
    func transitions(_ store: Store, _ alarmId: Int64) throws -> [AlarmEvent] {
        try store.events(alarmId: alarmId).filter { $0.type != .notified && $0.type != .renotified }
    }

    @Test("thresholds raise then escalate, expiry raises once, restarts and re-evaluation add nothing, rotation clears")
    func year() async throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock(now: start)
        let config = try TestConfig.load(in: dir, expires: expiry, extra: portalYAML(expires: start.addingTimeInterval(400 * 86400)))
        var daemon = try Daemon(config: config, clock: clock)

        for day in 0...220 {
            clock.set(to: start.addingTimeInterval(Double(day) * 86400))
            if day == 100 || day == 190 || day == 205 {
                // A restart: new store handle and daemon on the same database file.
                daemon = try Daemon(config: config, clock: clock)
            }
            await daemon.scheduler.runPass()
            if day == 195 {
                // Evaluating twice at the same moment changes nothing.
                let again = try ExpiryEvaluator(engine: daemon.engine, policy: config.alarms).evaluate(now: clock.now())
                #expect(again == ExpiryEvaluator.Summary(evaluated: 2, raised: 0, escalated: 0, cleared: 0))
            }
        }
        let store = daemon.store
        let d = { (offset: Int) in Timestamps.day(self.expiry.addingTimeInterval(Double(offset) * 86400)) }
        #expect(try eventSummary(store, kind: .clientSecretExpiring, credential: "smtp") == [
            "#1 \(d(-30)) raised warning",
            "#1 \(d(-14)) escalated warning",
            "#1 \(d(-7)) escalated critical",
            "#1 \(d(-1)) escalated critical",
        ])
        #expect(try eventSummary(store, kind: .clientSecretExpired, credential: "smtp") == ["#1 \(d(0)) raised critical"])
        #expect(try store.alarms(AlarmFilter(credential: "portal")).isEmpty)
        let active = try store.activeAlarms().filter(\.kind.isExpiry)
        #expect(active.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.clientSecretExpired, .clientSecretExpiring])
        #expect(active.first { $0.kind == .clientSecretExpiring }?.thresholdDays == 1)

        // Rotation: a new secret with a new expiry date clears both alarms with a "cleared" event.
        clock.set(to: expiry.addingTimeInterval(10 * 86400))
        var rotated = config
        rotated.smtp.auth.secretExpires = expiry.addingTimeInterval(365 * 86400)
        daemon = try Daemon(config: rotated, clock: clock)
        await daemon.scheduler.runPass()
        #expect(try daemon.store.activeAlarms().filter(\.kind.isExpiry).isEmpty)
        for kind in [AlarmKind.clientSecretExpiring, .clientSecretExpired] {
            let alarm = try #require(try daemon.store.alarms(AlarmFilter(kind: kind, credential: "smtp")).first)
            #expect(alarm.state == .cleared)
            let last = try #require(try transitions(daemon.store, alarm.id).last)
            #expect(last.type == .cleared)
            // Every transition queued its e-mail: the cleared one closes the loop.
            #expect(try daemon.store.events(alarmId: alarm.id).last?.type == .notified)
            #expect(last.detail.contains("secret rotated"))
            #expect(last.detail.contains(Timestamps.rfc3339(rotated.smtp.auth.secretExpires)))
        }
        // The next cycle raises a fresh alarm, not a revived old one.
        clock.set(to: rotated.smtp.auth.secretExpires.addingTimeInterval(-29 * 86400))
        await daemon.scheduler.runPass()
        let fresh = try daemon.store.alarms(AlarmFilter(state: .active, kind: .clientSecretExpiring, credential: "smtp"))
        #expect(fresh.count == 1)
        let old = try daemon.store.alarms(AlarmFilter(state: .cleared, credential: "smtp")).map(\.id)
        #expect(!old.contains(fresh[0].id) && fresh[0].kind == .clientSecretExpiring && fresh[0].thresholdDays == 30)
    }

    @Test("an earlier expiry date corrects the alarm (it stays, escalates); a later one is a rotation and clears it")
    func earlierDateIsACorrectionNotARotation() async throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock(now: start)
        let config = try TestConfig.load(in: dir, expires: start.addingTimeInterval(20 * 86400))
        var daemon = try Daemon(config: config, clock: clock)
        await daemon.scheduler.runPass()
        let alarm = try #require(try daemon.store.activeAlarms().first { $0.kind == .clientSecretExpiring })
        #expect(alarm.thresholdDays == 30 && alarm.severity == .warning)

        // The administrator finds the real date is 5 days out: same secret, earlier date.
        var corrected = config
        corrected.smtp.auth.secretExpires = start.addingTimeInterval(5 * 86400)
        daemon = try Daemon(config: corrected, clock: clock)
        await daemon.scheduler.runPass()
        let after = try #require(try daemon.store.alarm(id: alarm.id))
        #expect(after.state == .active, "an earlier date is not a rotation")
        #expect(after.expiresAt == corrected.smtp.auth.secretExpires)
        #expect(after.thresholdDays == 7 && after.severity == .critical, "the closer date escalates it")
        #expect(after.summary.contains(Timestamps.day(corrected.smtp.auth.secretExpires)))
        let events = try transitions(daemon.store, alarm.id)
        #expect(events.map(\.type) == [.raised, .updated, .escalated])
        #expect(events[1].detail.contains("correction of the same secret, not a rotation"))
        #expect(!events.contains { $0.detail.contains("secret rotated") })

        // A later date is a rotation.
        var rotated = corrected
        rotated.smtp.auth.secretExpires = start.addingTimeInterval(700 * 86400)
        daemon = try Daemon(config: rotated, clock: clock)
        await daemon.scheduler.runPass()
        #expect(try daemon.store.alarm(id: alarm.id)?.state == .cleared)
        #expect(try transitions(daemon.store, alarm.id).last?.detail.contains("(secret rotated)") == true)
    }

    @Test("events of every alarm are in time order and every transition is recorded")
    func eventsOrdered() async throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock(now: start)
        let config = try TestConfig.load(in: dir, expires: start.addingTimeInterval(20 * 86400))
        let daemon = try Daemon(config: config, clock: clock)
        for day in stride(from: 0, through: 25, by: 1) {
            clock.set(to: start.addingTimeInterval(Double(day) * 86400))
            await daemon.scheduler.runPass()
        }
        for alarm in try daemon.store.alarms(AlarmFilter()) {
            let events = try daemon.store.events(alarmId: alarm.id)
            #expect(events.first?.type == .raised)
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.at <= $1.at && $0.id < $1.id })
        }
        // 20 days out: raised at threshold 30 immediately (day 0), then 14, 7, 1, then expired.
        #expect(try eventSummary(daemon.store, kind: .clientSecretExpiring, credential: "smtp").count == 4)
    }

    @Test("a secret first seen already expired raises only the expired alarm; removal from config clears it")
    func alreadyExpiredThenRemoved() async throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock(now: start)
        let config = try TestConfig.load(in: dir, expires: start.addingTimeInterval(400 * 86400),
                                         extra: portalYAML(expires: start.addingTimeInterval(-5 * 86400)))
        let daemon = try Daemon(config: config, clock: clock)
        await daemon.scheduler.runPass()
        let alarms = try daemon.store.activeAlarms().filter(\.kind.isExpiry)
        #expect(alarms.map(\.kind) == [.clientSecretExpired])
        #expect(alarms[0].credentialName == "portal")
        #expect(alarms[0].summary == "client secret of Guest portal app expired on \(Timestamps.day(start.addingTimeInterval(-5 * 86400)))")

        var trimmed = config
        trimmed.credentials = []
        let restarted = try Daemon(config: trimmed, clock: clock)
        await restarted.scheduler.runPass()
        #expect(try restarted.store.activeAlarms().filter(\.kind.isExpiry).isEmpty)
        let events = try transitions(restarted.store, alarms[0].id)
        #expect(events.last?.detail == "credential portal is no longer in the configuration")
    }

    @Test("acknowledging is recorded once; a second acknowledgement is harmless")
    func acknowledge() async throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock(now: start)
        let config = try TestConfig.load(in: dir, expires: start.addingTimeInterval(5 * 86400))
        let daemon = try Daemon(config: config, clock: clock)
        await daemon.scheduler.runPass()
        let alarm = try #require(try daemon.store.activeAlarms().first { $0.kind.isExpiry })
        guard case .acknowledged(let acked) = try daemon.engine.acknowledge(alarmId: alarm.id, by: "oncall", comment: "rotating today", at: clock.now()) else {
            Issue.record("not acknowledged"); return
        }
        #expect(acked.acknowledgedBy == "oncall")
        guard case .alreadyAcknowledged = try daemon.engine.acknowledge(alarmId: alarm.id, by: "other", comment: nil, at: clock.now()) else {
            Issue.record("second ack not harmless"); return
        }
        #expect(try daemon.engine.acknowledge(alarmId: 999, by: "x", comment: nil, at: clock.now()) == .notFound)
        #expect(try daemon.store.events(alarmId: alarm.id).map(\.type) == [.raised, .notified, .acknowledged])
    }
}
