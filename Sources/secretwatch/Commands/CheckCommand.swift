import ArgumentParser
import Foundation
import SecretWatchCore

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration offline and show what it watches; --connect also tests the live connection.",
        discussion: """
            Exit 0 when the configuration is valid (warnings allowed), 2 with every problem listed when it is not.
            With --connect: 1 when a connection stage fails (its reason and fix are printed).
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Also test the live connection: token, then SMTP connect, EHLO, STARTTLS, AUTH XOAUTH2, QUIT (no mail sent).")
    var connect = false

    func run() async throws {
        let loaded = try options.load()
        let config = loaded.config
        let now = Date()
        print("configuration \(options.configPath) is valid" + (loaded.warnings.isEmpty ? "" : " (\(loaded.warnings.count) warning\(loaded.warnings.count == 1 ? "" : "s"))"))
        print("database: \(config.database)")
        print("http listen: \(config.http.listenHost):\(config.http.listenPort)")
        print("smtp: \(config.smtp.host):\(config.smtp.port) (\(config.smtp.tls.rawValue)) as \(config.smtp.auth.mailbox), secret from \(config.smtp.auth.secret.description)")
        print("token endpoint: \(config.smtp.auth.resolvedTokenEndpoint) scope \(config.smtp.auth.scope)")
        print("notifications: from \(config.notifications.from) to \(config.notifications.to.joined(separator: ", "))")
        print("thresholds: \(config.alarms.thresholdsDays.map(String.init).joined(separator: ", ")) days (critical at \(config.alarms.criticalDays) days or less)")
        var table = TextTable(headers: ["CREDENTIAL", "TENANT", "CLIENT", "EXPIRES (UTC)", "DAYS LEFT"])
        for c in config.allCredentials {
            let a = c.expiresAt.map { config.alarms.assess(expiresAt: $0, now: now) }
            table.add([c.name, c.tenantId, c.clientId, c.expiresAt.map(Timestamps.rfc3339) ?? "-",
                       a.map { $0.expired ? "expired" : String($0.daysLeft) } ?? "-"])
        }
        print(table.render(), terminator: "")
        if connect {
            try await runConnectionTest(config)
        }
    }

    /// `check --connect`: every stage with its duration, and the reason and fix of a failure; exit 1 on failure.
    private func runConnectionTest(_ config: Config) async throws {
        let settings = TokenEndpointSettings(config: config)
        print("token request: proxy \(settings.proxy.display), CA \(settings.caFile ?? "system trust store"), connect timeout \(DurationText.format(settings.connectTimeout)), timeout \(DurationText.format(settings.timeout))")
        print("connection test:")
        let results = await ConnectionTest.standard(config: config).run { result in
            print(Redactor.scrub(result.render()))
            if let detail = result.failure?.detail {
                print(String(repeating: " ", count: 30) + "detail: " + Redactor.scrub(detail))
            }
        }
        if let failed = results.first(where: { !$0.ok }) {
            printError("connection test failed at stage \(failed.stage): \(failed.failure?.reason ?? "unknown")")
            throw ExitCode(ExitStatus.failed)
        }
        print("connection test passed (no mail sent)")
    }
}
