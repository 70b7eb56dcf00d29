import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// Alarm e-mails: queued with the alarm change, their content, re-notification, system alarms, injection.
@Suite("Alarm e-mails")
struct AlarmMailTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func setUp(includeSystem: Bool = true, credential: Credential? = nil) throws -> (Store, AlarmEngine, AlarmMailer) {
        let smtp = MailTestSupport.smtpConfig(port: 1, caFile: nil)
        let store = try MailTestSupport.store(smtp: smtp, now: now, extra: credential.map { [$0] } ?? [])
        let mailer = AlarmMailer(notifications: MailTestSupport.notifications(includeSystem: includeSystem), clock: ManualClock(now: now))
        return (store, AlarmEngine(store: store, observers: [mailer]), mailer)
    }

    func expiring(days: Double, name: String = "guest-portal", displayName: String = "ISE guest portal") -> Credential {
        Credential(name: name, displayName: displayName, tenantId: MailTestSupport.tenant, clientId: MailTestSupport.client,
                   mailbox: nil, expiresAt: now.addingTimeInterval(days * 86400), hasSecret: false)
    }

    @Test func raisingAnExpiryAlarmQueuesOneMailWithEverythingTheAdminNeeds() throws {
        let (store, engine, _) = try setUp(credential: expiring(days: 6.5))
        try ExpiryEvaluator(engine: engine, policy: AlarmPolicy()).evaluate(now: now)
        let alarm = try #require(try store.activeAlarms().first { $0.credentialName == "guest-portal" })
        let queued = try store.outboxMessages()
        try #require(queued.count == 1)
        let mail = queued[0]
        #expect(mail.alarmId == alarm.id)
        #expect(mail.subject == "[secretwatch] CRITICAL client_secret_expiring: guest-portal — SMTP OAuth client secret about to expire (RAISED)")
        #expect(mail.pendingRecipients == MailTestSupport.admins)
        let body = AlarmMail(alarm: alarm, credential: expiring(days: 6.5), occasion: .raised, detail: "d", now: now).body
        for needle in ["ISE guest portal", MailTestSupport.tenant, MailTestSupport.client, "7 days left", "Certificates & secrets",
                       "New client secret", "secret_expires", "id:       \(alarm.id)", "secretwatch ack \(alarm.id)"] {
            #expect(body.contains(needle), "body lacks \(needle)")
        }
        #expect(alarm.notifyCount == 1 && alarm.notifiedAt == now)
        #expect(try store.events(alarmId: alarm.id).map(\.type) == [.raised, .notified])
    }

    @Test func escalationAndClearEachQueueOneMail() throws {
        let (store, engine, _) = try setUp(credential: expiring(days: 20))
        let evaluator = ExpiryEvaluator(engine: engine, policy: AlarmPolicy())
        try evaluator.evaluate(now: now)
        try evaluator.evaluate(now: now.addingTimeInterval(14 * 86400))    // 6 days left: escalated
        try store.syncCredentials([MailTestSupport.smtpConfig(port: 1, caFile: nil).auth.credential, expiring(days: 400)], now: now)
        try evaluator.evaluate(now: now.addingTimeInterval(14 * 86400))    // rotated: cleared
        let subjects = try store.outboxMessages().map(\.subject).reversed()
        #expect(subjects.count == 3)
        #expect(subjects.map { $0.hasSuffix("(RAISED)") || $0.hasSuffix("(ESCALATED)") || $0.hasPrefix("[secretwatch] CLEARED") } == [true, true, true])
    }

    @Test func systemAlarmsOnlyWhenIncluded() throws {
        for include in [true, false] {
            let (store, engine, _) = try setUp(includeSystem: include)
            try store.transaction { tx in
                try MailDeliveryEvaluator(engine: engine, credentialName: "smtp")
                    .failing(reason: "smtp_auth_rejected", summary: "s", detail: "d", at: now, tx: tx)
            }
            #expect(try store.outboxMessages().count == (include ? 1 : 0))
        }
    }

    @Test func unacknowledgedAlarmsAreRenotifiedAcknowledgedOnesNot() throws {
        let (store, engine, mailer) = try setUp(credential: expiring(days: 6))
        try store.syncCredentials([MailTestSupport.smtpConfig(port: 1, caFile: nil).auth.credential, expiring(days: 6),
                                   expiring(days: 5, name: "other", displayName: "Other app")], now: now)
        try ExpiryEvaluator(engine: engine, policy: AlarmPolicy()).evaluate(now: now)
        let alarms = try store.activeAlarms()
        try #require(alarms.count == 2)
        _ = try engine.acknowledge(alarmId: alarms[0].id, by: "oncall", comment: "rotating today", at: now)
        let step = RenotifyStep(store: store, mailer: mailer, interval: 86400)
        #expect(try step.renotify(now: now.addingTimeInterval(86399)).isEmpty)
        #expect(try step.renotify(now: now.addingTimeInterval(86400)) == [alarms[1].id])
        #expect(try step.renotify(now: now.addingTimeInterval(86400 + 3600)).isEmpty, "the interval starts again")
        #expect(try store.events(alarmId: alarms[1].id).map(\.type).last == .renotified)
        #expect(try store.alarm(id: alarms[1].id)?.notifyCount == 2)
        #expect(try store.outboxMessages().first?.subject.hasSuffix("(REMINDER)") == true)
    }

    @Test func headerInjectionThroughAlarmDataIsNeutralised() async throws {
        let evil = expiring(days: 3, name: "evil", displayName: "Mail app\r\nBcc: thief@attacker.example\r\nX-Evil: 1")
        let (store, engine, _) = try setUp(credential: evil)
        try ExpiryEvaluator(engine: engine, policy: AlarmPolicy()).evaluate(now: now)
        let queued = try #require(try store.outboxMessages().first)
        let headerBlock = queued.content.components(separatedBy: "\r\n\r\n")[0]
        let headerNames = headerBlock.components(separatedBy: "\r\n").filter { !$0.hasPrefix(" ") }.map { $0.prefix { $0 != ":" } }
        #expect(!headerNames.contains("Bcc") && !headerNames.contains("X-Evil"))
        #expect(queued.pendingRecipients == MailTestSupport.admins)

        // And on the wire: the server sees no Bcc header and no extra recipient.
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let sender = SMTPSender(transport: SMTPTransport(config: server.smtpConfig()), tokens: TestTokenProvider(), credential: "smtp")
        let attempt = await sender.send(Data(queued.content.utf8), from: queued.from, to: queued.pendingRecipients)
        #expect(attempt.result.failure == nil)
        let received = try #require(try server.received().first)
        #expect(!received.header_names.contains("Bcc") && !received.header_names.contains("X-Evil"))
        #expect(received.rcpt_tos == MailTestSupport.admins)
        #expect(received.body?.contains("Mail app") == true)
    }

    @Test func headerInjectionThroughAddressesIsRejected() {
        let bad = MailMessage(from: "sender@contoso.example", to: ["admin@contoso.example\r\nBcc: thief@attacker.example"],
                              subject: "s", body: "b", date: now)
        #expect(throws: MailMessage.Invalid.self) { try bad.rendered() }
        let badFrom = MailMessage(from: "a@b.example>\r\nBcc: x@y.example", to: ["admin@contoso.example"], subject: "s", body: "b", date: now)
        #expect(throws: MailMessage.Invalid.self) { try badFrom.rendered() }
    }

    @Test func headerInjectionThroughTheConfigurationIsRefused() throws {
        let yaml = """
            smtp:
              auth:
                display_name: "Mail app\\r\\nBcc: thief@attacker.example"
                mailbox: sender@contoso.example
                tenant_id: \(MailTestSupport.tenant)
                client_id: \(MailTestSupport.client)
                client_secret_env: X
                secret_expires: 2027-01-01
            notifications:
              to: ["admin@contoso.example"]
            """
        #expect {
            try ConfigLoader(environment: [:], checkSecrets: false).parse(yaml, path: "/tmp/x.yml")
        } throws: { error in
            "\(error)".contains("smtp.auth.display_name") && "\(error)".contains("single line")
        }
    }
}
