import Foundation
import Testing
@testable import SecretWatchCore

@Suite("mailer: configuration")
struct MailerConfigTests {
    func parse(_ mailer: String) throws(ConfigError) -> ConfigLoader.Loaded {
        let yaml = """
            smtp:
              auth:
                mailbox: sender@contoso.example
                tenant_id: \(MailTestSupport.tenant)
                client_id: \(MailTestSupport.client)
                client_secret_env: X
                secret_expires: 2027-01-01
            notifications:
              to: [admin@contoso.example]
            \(mailer)
            """
        return try ConfigLoader(environment: [:], checkSecrets: false).parse(yaml, path: "/tmp/secretwatch.yml")
    }

    @Test func defaultsFollowExchangeLimits() throws {
        let mailer = try parse("").config.mailer
        #expect(mailer == MailerConfig())
        #expect(mailer.concurrency == 3 && mailer.ratePerMinute == 30)
    }

    @Test func readsEveryField() throws {
        let mailer = try parse("""
            mailer:
              concurrency: 2
              rate_per_minute: 0
              retry_initial: 10s
              retry_max: 30m
              give_up_after: 1d
              alarm_after: 15m
              poll_interval: 2s
            """).config.mailer
        #expect(mailer == MailerConfig(concurrency: 2, ratePerMinute: 0, retryInitial: 10, retryMax: 1800, giveUpAfter: 86400,
                                       alarmAfter: 900, pollInterval: 2))
    }

    @Test func reportsEveryProblemWithItsPath() {
        #expect {
            try parse("""
                mailer:
                  concurrency: 0
                  rate_per_minute: -1
                  retry_initial: 2h
                  retry_max: 1h
                  retries: 3
                """)
        } throws: { error in
            let text = "\(error)"
            return text.contains("mailer.concurrency: must be between 1 and 10, got 0")
                && text.contains("mailer.rate_per_minute: must be between 0 and 6000, got -1")
                && text.contains("mailer.retry_max: must not be shorter than retry_initial (2h)")
                && text.contains("mailer.retries: unknown field")
        }
    }

    @Test func moreThanThreeSessionsIsAWarning() throws {
        let loaded = try parse("mailer:\n  concurrency: 5")
        #expect(loaded.config.mailer.concurrency == 5)
        #expect(loaded.warnings.contains { "\($0)".contains("432 4.3.2") })
    }
}
