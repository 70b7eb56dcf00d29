import ArgumentParser
import FoundationEssentials
import Logging
import SecretWatchCore

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration offline and show what it watches; --connect also tests the live connection.",
        discussion: """
            Exit 0 when the configuration is valid (warnings allowed), 2 with every problem listed when it is not.
            With --connect: 1 when a connection stage fails (its reason and fix are printed).
            With --json: the same as one JSON object on standard output (an invalid configuration too:
            "valid": false with every problem), with the same exit status.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Also test the live connection: token, then SMTP connect, EHLO, STARTTLS, AUTH XOAUTH2, QUIT (no mail sent).")
    var connect = false

    @Flag(help: "Print the result as JSON (docs/cli.md shows its fields).")
    var json = false

    func run() async throws {
        if json {
            return try await runJSON()
        }
        let loaded = try options.load()
        let config = loaded.config
        let now = Date()
        print("configuration \(options.configPath) is valid" + (loaded.warnings.isEmpty ? "" : " (\(loaded.warnings.count) warning\(loaded.warnings.count == 1 ? "" : "s"))"))
        print("database: \(config.database)")
        print("http listen: \(config.http.listenHost):\(config.http.listenPort)")
        print("smtp: \(config.smtp.host):\(config.smtp.port) (\(config.smtp.tls.rawValue)) as \(config.smtp.auth.mailbox), \(config.smtp.auth.secret == nil ? "" : "secret from ")\(config.smtp.auth.authentication.description)")
        print("token endpoint: \(config.smtp.auth.resolvedTokenEndpoint) scope \(config.smtp.auth.scope)")
        print("notifications: from \(config.notifications.from) to \(config.notifications.to.joined(separator: ", "))")
        print("thresholds: \(config.alarms.thresholdsDays.map(String.init).joined(separator: ", ")) days (critical at \(config.alarms.criticalDays) days or less)")
        if let discovery = config.discovery {
            print(Self.describe(discovery))
        }
        if let relay = config.relay {
            CheckReport.Relay(relay).lines.forEach { print($0) }
        }
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

    /// `check --json`: the report as one object; exit 2 when the configuration is invalid, 1 when a stage failed.
    private func runJSON() async throws {
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try options.loadQuietly()
        } catch {
            try printJSON(CheckReport.invalid(path: options.configPath, problems: error.problems))
            throw ExitCode(ExitStatus.usage)
        }
        var report = CheckReport(path: options.configPath, loaded: loaded, now: Date())
        if connect {
            let config = loaded.config
            let certificates = EndpointCertificates()
            certificates.loadCAFiles([config.smtp.caFile, config.token.caFile].compactMap { $0 })
            let results = await ConnectionTest.standard(config: config, certificates: certificates).run()
            report.addConnection(results, chains: CertificateChainReport(config: config), certificates: certificates, now: Date())
        }
        try printJSON(report)
        if report.connection?.passed == false {
            throw ExitCode(ExitStatus.failed)
        }
    }

    /// One line for `discovery:`; the tenant names, up to five of them.
    static func describe(_ discovery: DiscoveryConfig) -> String {
        let count = discovery.tenants.count
        var names = discovery.tenants.prefix(5).map(\.name).joined(separator: ", ")
        if count > 5 { names += ", … \(count - 5) more" }
        return "discovery: \(count) tenant\(count == 1 ? "" : "s") (\(names)) via \(discovery.graphEndpoint) every "
            + "\(DurationText.format(discovery.interval)) (secretwatch discover shows what Graph returns now)"
    }

    /// `check --connect`: every stage with its duration, and the reason and fix of a failure; exit 1 on failure.
    private func runConnectionTest(_ config: Config) async throws {
        let settings = TokenEndpointSettings(config: config)
        print("token request: proxy \(settings.proxy.display), CA \(settings.caFile ?? "system trust store"), connect timeout \(DurationText.format(settings.connectTimeout)), timeout \(DurationText.format(settings.timeout))")
        print("connection test:")
        let certificates = EndpointCertificates()
        certificates.loadCAFiles([config.smtp.caFile, config.token.caFile].compactMap { $0 })
        let results = await ConnectionTest.standard(config: config, certificates: certificates).run { result in
            print(Redactor.scrub(result.render()))
            if let detail = result.failure?.detail {
                print(String(repeating: " ", count: 30) + "detail: " + Redactor.scrub(detail))
            }
        }
        CertificateChainReport(config: config).render(certificates).forEach { print($0) }
        if let failed = results.first(where: { !$0.ok }) {
            printError("connection test failed at stage \(failed.stage): \(failed.failure?.reason ?? "unknown")")
            throw ExitCode(ExitStatus.failed)
        }
        print("connection test passed (no mail sent)")
    }
}

struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Queue one test e-mail and deliver it now through the configured OAuth SMTP path.",
        discussion: """
            The mail goes through the outbox like every alarm e-mail (so it is retried by a running daemon if this
            attempt fails transiently). Prints the outcome, the classified reason and the server's reply.
            Exit 0 when the server accepted it, 1 when not, 2 on a usage or configuration error.
            With --json: the outcome as one JSON object on standard output, with the same exit status.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Recipient address (repeat for several).")
    var to: [String] = []

    @Option(help: "Subject of the test mail.")
    var subject = "secretwatch test mail"

    @Flag(help: "Print the outcome as JSON (docs/cli.md shows its fields).")
    var json = false

    func validate() throws {
        guard !to.isEmpty else { throw ValidationError("--to is required (the address to send the test mail to)") }
        for address in to where MIMEEncoding.address(address) == nil {
            throw ValidationError("--to \"\(address)\" is not a plain name@domain address")
        }
    }

    func run() async throws {
        let config = try options.loadAndBootstrapLogging()
        let daemon = try orExit { try Daemon(config: config) }
        let now = Date()
        let body = """
            This is a test e-mail from secretwatch \(SecretWatchVersion.string).

            It was sent as \(config.smtp.auth.mailbox) through \(config.smtp.host):\(config.smtp.port) (\(config.smtp.tls.rawValue)),
            authenticated with OAuth 2.0 (SASL XOAUTH2), at \(Timestamps.rfc3339(now)).
            If you can read it, secretwatch can deliver its alarm e-mails.
            """
        let message = MailMessage(from: config.notifications.from, to: to, subject: subject, body: body + "\n", date: now)
        let id = try daemon.store.enqueue(message, kind: .test, at: now)
        if !json {
            print(SendTestResult(messageId: message.messageId, to: to, delivery: nil).lines[0])
        }
        let delivery = try await daemon.delivery?.deliverNow(outboxId: id)
        let result = SendTestResult(messageId: message.messageId, to: to, delivery: delivery)
        if json {
            try printJSON(result)
        } else {
            print(result.lines.dropFirst().joined(separator: "\n"))
        }
        if !result.accepted && delivery != nil {
            throw ExitCode(ExitStatus.failed)
        }
    }
}
