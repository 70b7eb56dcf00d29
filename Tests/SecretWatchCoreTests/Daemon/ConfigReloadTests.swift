import Foundation
import Synchronization
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// SIGHUP reload: validated, connection-tested when SMTP settings change, rejected without harm.
@Suite("Configuration reload")
struct ConfigReloadTests {
    func config(_ smtp: SMTPConfig, database: String, expires: Date) -> Config {
        var smtp = smtp
        smtp.auth.secretExpires = expires
        return Config(database: database, logLevel: .info,
                      http: HTTPConfig(listenHost: "127.0.0.1", listenPort: 9465, apiTokenFile: nil, authReads: false),
                      scheduler: SchedulerConfig(interval: 60), smtp: smtp, notifications: MailTestSupport.notifications(),
                      alarms: AlarmPolicy(), credentials: [], sourcePath: "/dev/null")
    }

    @Test func rejectsSMTPSettingsThatFailTheConnectionTestAndAppliesGoodOnes() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("secretwatch-reload-\(UUID().uuidString).db").path
        let original = config(server.smtpConfig(), database: database, expires: now.addingTimeInterval(5 * 86400))
        let next = Mutex(original)
        let daemon = try Daemon(config: original, clock: ManualClock(now: now),
                                tokenFactory: { _ in TestTokenProvider() }, reload: { next.withLock { $0 } })
        _ = await daemon.runOnce()
        let expiring = try #require(try daemon.store.activeAlarms().first)
        #expect(expiring.kind == .clientSecretExpiring)

        // A new SMTP setting that cannot authenticate (the server refuses this mailbox): rejected, old kept.
        var broken = original
        broken.smtp.auth.mailbox = "authdisabled@contoso.example"
        next.withLock { $0 = broken }
        let rejected = await daemon.reloader.reload()
        #expect(rejected.outcome == "rejected" && rejected.reason == "smtp_auth_disabled")
        #expect(daemon.config.smtp.auth.mailbox == "sender@contoso.example")
        #expect(daemon.delivery?.settings.smtp.auth.mailbox == "sender@contoso.example")

        // An invalid file: rejected with config_invalid.
        let invalidDaemon = try Daemon(config: original, clock: ManualClock(now: now), tokenFactory: { _ in TestTokenProvider() },
                                       reload: { throw ConfigError(file: "x.yml", problems: [ConfigProblem(path: "smtp.port", message: "bad")]) })
        #expect(await invalidDaemon.reloader.reload().reason == "config_invalid")

        // The secret was rotated: new expiry date far out → passes the test, applies, clears the alarm at once.
        let rotated = config(server.smtpConfig(), database: database, expires: now.addingTimeInterval(400 * 86400))
        next.withLock { $0 = rotated }
        let applied = await daemon.reloader.reload()
        #expect(applied.outcome == "applied")
        #expect(try daemon.store.activeAlarms().isEmpty, "rotation clears the expiry alarm without waiting for a pass")
        #expect(daemon.config.smtp.auth.secretExpires == rotated.smtp.auth.secretExpires)

        next.withLock { $0 = rotated }
        #expect(await daemon.reloader.reload().outcome == "unchanged")
        // The history (newest first; the invalid-file daemon shares the database).
        #expect(try daemon.store.reloads().map { "\($0.outcome)/\($0.reason ?? "-")" }
                == ["unchanged/-", "applied/-", "rejected/config_invalid", "rejected/smtp_auth_disabled"])
    }

    /// The reload gauges as `/metrics` shows them.
    static func reloadGauges(_ daemon: Daemon) throws -> (successful: String?, lastSuccess: String?) {
        daemon.metrics.flush()
        let lines = try daemon.metrics.text().split(separator: "\n")
        func value(_ name: String) -> String? {
            lines.first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
        }
        return (value("secretwatch_config_last_reload_successful"), value("secretwatch_config_last_reload_success_timestamp_seconds"))
    }

    @Test("the reload gauges: 1 and the start time at start, 0 after a rejected reload, 1 and its time after an accepted one")
    func reloadMetrics() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = ManualClock(now: start)
        let dir = TemporaryDirectory()
        let original = try TestConfig.load(in: dir, expires: start.addingTimeInterval(400 * 86400))
        let valid = Mutex(false)
        let daemon = try Daemon(config: original, clock: clock, tokenFactory: { _ in TestTokenProvider() }, reload: {
            guard valid.withLock({ $0 }) else { throw ConfigError(file: "x.yml", problems: [ConfigProblem(path: "smtp.port", message: "bad")]) }
            return original
        })
        #expect(try Self.reloadGauges(daemon) == ("1", "1800000000"))
        clock.advance(by: 60)
        #expect(await daemon.reloader.reload().outcome == "rejected")
        #expect(try Self.reloadGauges(daemon) == ("0", "1800000000"))
        clock.advance(by: 60)
        valid.withLock { $0 = true }
        #expect(await daemon.reloader.reload().outcome == "unchanged")
        #expect(try Self.reloadGauges(daemon) == ("1", "1800000120"))
    }
}
