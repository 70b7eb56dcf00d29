import ArgumentParser
import Foundation
import SecretWatchCore

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration offline and show what it watches.",
        discussion: "Exit 0 when the configuration is valid (warnings allowed), 2 with every problem listed when it is not.")

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
        if connect { try await runConnectionTest(config) }
    }
}
