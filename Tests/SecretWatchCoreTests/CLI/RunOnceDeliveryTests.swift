import Foundation
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// `run --once` from cron: the pass queues the alarm e-mail, and the same run delivers what is due (through the
/// token stand-in and a real aiosmtpd), retrying transient failures until `--deliver-timeout`; exit 1 when due
/// mail is still queued at the deadline, so cron tells the operator.
@Suite("CLI: run --once delivers")
struct RunOnceDeliveryTests {
    /// The SMTP secret expires in 10 days: the pass raises `client_secret_expiring` and queues its e-mail.
    static func config(_ f: TokenEndpointFixture, _ smtp: SMTPTestServer, database: String, mailer: String = "") throws -> String {
        try CheckConnectConfig.write(in: f, database: database, smtp: smtp,
                                     expires: Timestamps.rfc3339(Date().addingTimeInterval(10 * 86400 + 600)), extra: mailer)
    }

    static func outbox(_ database: String) throws -> OutboxSnapshot {
        try Store(path: database).outboxSnapshot()
    }

    @Test("run --once delivers the alarm e-mail it queued to the SMTP server and exits 0")
    func deliversTheAlarmMail() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: TestTokens.good, expiresIn: 3599))
        defer { f.close() }
        let smtp = try await SMTPTestServer.start()
        defer { smtp.stop() }
        let database = f.pki.directory + "/sw.db"
        let config = try Self.config(f, smtp, database: database)

        let out = try await SecretWatchCLI.run(["run", "--once", "--config", config])
        #expect(out.status == 0, "\(out.all)")
        let received = try smtp.received()
        #expect(received.count == 1, "\(out.all)")
        #expect(received.first?.rcpt_tos == ["mail-admins@contoso.com"])
        #expect(received.first?.subject.contains("client_secret_expiring: smtp") == true, "\(received.first?.subject ?? "-")")
        let outbox = try Self.outbox(database)
        #expect(outbox.depth == 0 && outbox.sent == 1, "\(outbox)")
    }

    @Test("with the SMTP server down run --once exits 1 at its deadline and keeps the mail; a later run --once delivers it")
    func serverDownThenUp() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: TestTokens.good, expiresIn: 3599))
        defer { f.close() }
        // The server's CA must outlive its first run (the configuration trusts it): its own directory, reused.
        let directory = URL(fileURLWithPath: f.pki.directory).appendingPathComponent("smtp")
        let gone = try await SMTPTestServer.start(port: MailTestSupport.closedPort(), directory: directory)
        let port = gone.port
        await BlockingExecutor.run { gone.stop() }
        let database = f.pki.directory + "/sw.db"
        // Short retry delays, so that transient failures are retried within a short deadline.
        let config = try Self.config(f, gone, database: database, mailer: "mailer:\n  retry_initial: 1s\n  retry_max: 2s")

        let down = try await SecretWatchCLI.run(["run", "--once", "--config", config, "--deliver-timeout", "4s"])
        #expect(down.status == 1, "\(down.all)")
        #expect(down.stderr.contains("error: 1 e-mail is still queued after --deliver-timeout 4s"), "\(down.stderr)")
        #expect(down.stderr.contains("last failure: connect_refused"), "\(down.stderr)")
        let attempts = try Store(path: database).withRawConnection { try $0.scalar("SELECT COUNT(*) FROM deliveries")?.int ?? 0 }
        #expect(attempts >= 2, "a transient failure is retried within the deadline; \(attempts) attempt(s)")
        var outbox = try Self.outbox(database)
        #expect(outbox.depth == 1 && outbox.sent == 0, "\(outbox)")

        let smtp = try await SMTPTestServer.start(port: port, directory: directory)
        defer { smtp.stop() }
        let up = try await SecretWatchCLI.run(["run", "--once", "--config", config])
        #expect(up.status == 0, "\(up.all)")
        #expect(try smtp.received().count == 1)
        outbox = try Self.outbox(database)
        #expect(outbox.depth == 0 && outbox.sent == 1, "\(outbox)")
    }

    @Test("mail waiting for a later retry is not due: run --once leaves it queued and exits 0")
    func backoffBeyondTheDeadlineIsNotDue() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: TestTokens.good, expiresIn: 3599))
        defer { f.close() }
        let gone = try await SMTPTestServer.start()
        await BlockingExecutor.run { gone.stop() }
        let database = f.pki.directory + "/sw.db"
        // The first retry comes 5–10 minutes after a failure: later than either run's deadline.
        let config = try Self.config(f, gone, database: database, mailer: "mailer:\n  retry_initial: 10m")

        let failed = try await SecretWatchCLI.run(["run", "--once", "--config", config, "--deliver-timeout", "2s"])
        #expect(failed.status == 1, "\(failed.all)")
        let again = try await SecretWatchCLI.run(["run", "--once", "--config", config, "--deliver-timeout", "2s"])
        #expect(again.status == 0, "\(again.all)")
        #expect(try Self.outbox(database).depth == 1)
        let attempts = try Store(path: database).withRawConnection { try $0.scalar("SELECT COUNT(*) FROM deliveries")?.int ?? 0 }
        #expect(attempts == 1, "the second run does not try mail that is not due")
    }

    @Test("--deliver-timeout takes a duration")
    func deliverTimeoutValidated() async throws {
        let bad = try await SecretWatchCLI.run(["run", "--once", "--deliver-timeout", "soon"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--deliver-timeout \"soon\" is not a duration between 1s and 1d (use 30s, 5m, …)"), "\(bad.stderr)")
        let help = try await SecretWatchCLI.run(["run", "--help"])
        #expect(help.stdout.contains("--deliver-timeout <duration>"))
    }
}
