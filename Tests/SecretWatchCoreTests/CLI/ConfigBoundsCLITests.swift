import Foundation
import Testing
@testable import SecretWatchCore

/// The built binary on configurations that once trapped or hung it: every one ends with a clear message.
@Suite("CLI on out-of-bounds configurations")
struct ConfigBoundsCLITests {
    let binary = TestPaths.executable

    /// A valid configuration (SMTP and token endpoint refusing on loopback, HTTP on an ephemeral port) plus `extra`
    /// YAML lines under `smtp:` / at the top level.
    func write(_ dir: TemporaryDirectory, name: String = "secretwatch.yml", smtpExtra: String = "", extra: String = "",
               interval: String = "1h") throws -> String {
        try dir.write("secret.txt", "bounds-canary-secret-0815\n", mode: 0o600)
        return try dir.write(name, """
            database: \(dir.file("sw.db"))
            http:
              listen: 127.0.0.1:0
            scheduler:
              interval: \(interval)
            smtp:
              host: 127.0.0.1
              port: 1
            \(smtpExtra)
              auth:
                mailbox: sender@contoso.com
                tenant_id: \(TestConfig.tenant)
                client_id: \(TestConfig.client)
                client_secret_file: secret.txt
                secret_expires: 2099-05-31
                token_endpoint: \(TestConfig.refusingTokenEndpoint)
            notifications:
              to: [admin@contoso.com]
            \(extra)
            """)
    }

    func run(_ arguments: [String], timeout: TimeInterval = Patience.seconds) async throws -> ProcessOutput {
        try await runProcess(binary, arguments, environment: [:], timeout: timeout)
    }

    @Test("run, check --connect and check refuse the durations that trapped them, naming the field")
    func abuseDurationsAreRefusedBeforeAnythingStarts() async throws {
        let dir = TemporaryDirectory()
        let cases: [(arguments: [String], config: String, message: String)] = [
            (["run"], try write(dir, name: "interval.yml", interval: "300000d"), "scheduler.interval: must be at most 1d, got 300000d"),
            (["run"], try write(dir, name: "weeks.yml", interval: "1000000w"), "scheduler.interval: must be at most 1d, got 1000000w"),
            (["run"], try write(dir, name: "seconds.yml", interval: "9223372036854775807s"), "scheduler.interval: must be at most 1d, got 9223372036854775807s"),
            (["run", "--once"], try write(dir, name: "token.yml", extra: "token:\n  timeout: 110000000000d"), "token.timeout: must be at most 10m, got 110000000000d"),
            (["check", "--connect"], try write(dir, name: "token-connect.yml", extra: "token:\n  connect_timeout: 110000000000d"), "token.connect_timeout: must be at most 10m, got 110000000000d"),
            (["check", "--connect"], try write(dir, name: "smtp.yml", smtpExtra: "  timeout: 110000000000d"), "smtp.timeout: must be at most 1h, got 110000000000d"),
            (["check", "--connect"], try write(dir, name: "smtp-connect.yml", smtpExtra: "  connect_timeout: 110000000000d"), "smtp.connect_timeout: must be at most 10m, got 110000000000d"),
        ]
        for c in cases {
            let out = try await run(c.arguments + ["--config", c.config])
            #expect(!out.signalled, "\(c.arguments) \(c.config): killed by signal \(out.status)")
            #expect(out.status == 2, "\(c.arguments) \(c.config): exit \(out.status)\n\(out.stderr.suffix(600))")
            #expect(out.stderr.contains("  - \(c.message)"), "\(c.arguments): \(out.stderr)")
        }
    }

    @Test("the largest accepted durations run: check --connect fails cleanly, run starts and stops on SIGTERM")
    func largestAcceptedDurationsRun() async throws {
        let dir = TemporaryDirectory()
        let config = try write(dir, smtpExtra: "  connect_timeout: 10m\n  timeout: 1h", extra: """
            token:
              connect_timeout: 10m
              timeout: 10m
            alarms:
              renotify_interval: 365d
            mailer:
              retry_initial: 1d
              retry_max: 1d
              give_up_after: 30d
              alarm_after: 7d
              poll_interval: 1h
            """, interval: "1d")
        let connect = try await run(["check", "--connect", "--config", config])
        #expect(!connect.signalled && connect.status == 1, "check --connect: \(connect.signalled ? "signal" : "exit") \(connect.status)\n\(connect.stderr)")
        #expect(connect.stderr.contains("connection test failed at stage token: connect_refused"))

        let daemon = try DaemonProcess(binary: binary, config: config, log: dir.file("daemon.log"))
        try await daemon.waitForLog("scheduler started")
        #expect(daemon.log.contains("interval=1d"))
        let status = try await daemon.stop()
        #expect(status == .exit(0), "\(daemon.log.suffix(800))")
    }

    @Test("a SIGHUP reload with an out-of-bounds timeout is rejected and the daemon keeps running")
    func reloadWithAnAbuseTimeoutIsRejected() async throws {
        let dir = TemporaryDirectory()
        let config = try write(dir, interval: "1s")
        let daemon = try DaemonProcess(binary: binary, config: config, log: dir.file("daemon.log"))
        try await daemon.waitForLog("scheduler started")
        // New SMTP settings too, so that a reload that accepted the timeouts would connection-test with them.
        _ = try write(dir, smtpExtra: "  timeout: 4m", extra: "token:\n  connect_timeout: 110000000000d\n  timeout: 110000000000d", interval: "1s")
        daemon.signal(SIGHUP)
        try await daemon.waitForLog("configuration reload rejected")
        #expect(daemon.log.contains("token.timeout: must be at most 10m, got 110000000000d"))
        try await Task.sleep(nanoseconds: 1_500_000_000) // a scheduler pass with the old settings
        #expect(daemon.isRunning, "the daemon died after the reload:\n\(daemon.log.suffix(800))")
        let status = try await daemon.stop()
        #expect(status == .exit(0), "\(daemon.log.suffix(800))")
    }
}
