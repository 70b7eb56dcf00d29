import ArgumentParser
import FoundationEssentials
import SecretWatchCore

struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Show what Microsoft Graph says right now for each discovery tenant; writes nothing.",
        discussion: """
            For every tenant of the configuration's discovery: section (or the one named by --tenant), one after the
            other: a Graph token for its reader app, the applications Graph lists, every secret and certificate the
            tenant's filters keep (name, app, app id, type, key id, start, end, days left), and for each configured
            credential of that tenant with a secret which of its app's secrets is the one in use (compared by the
            first three characters, in memory), Entra's end date against the configured secret_expires, and a
            rotation in progress. A tenant that fails shows the classified reason, what it means and the fix.
            Decides exactly as the daemon's discovery does, but nothing is written: the database is not opened, no
            alarm is raised, no token attempt is recorded. No secret, hint or token is printed.
            Exit 0 when every tenant was listed, 1 when a tenant failed, 2 on a usage error or an invalid
            configuration (no discovery: section, an unknown --tenant).
            """)

    @Option(name: .shortAndLong, help: "Configuration file (default: $SECRETWATCH_CONFIG, else \(ConfigDefaults.configPath)).")
    var config: String?

    @Option(help: ArgumentHelp("Only this discovery tenant (its name in discovery.tenants).", valueName: "name"))
    var tenant: String?

    @Flag(help: "Print JSON (once every tenant is done) instead of text (printed tenant by tenant).")
    var json = false

    func run() async throws {
        let config = try loadConfiguration(path: resolvedConfigPath(config))
        // Whatever a component logs goes to standard error, scrubbed, never into the JSON on standard output.
        LogSetup.bootstrap(level: config.logLevel)
        guard let discovery = config.discovery else {
            printError("error: \(resolvedConfigPath(self.config)) has no discovery: section; there is nothing to discover (see docs/discovery.md)")
            throw ExitCode(ExitStatus.usage)
        }
        var tenants = discovery.tenants
        if let tenant {
            guard let entry = tenants.first(where: { $0.name == tenant }) else {
                printError("error: --tenant \"\(VisibleText.escaped(tenant))\" is not a discovery tenant; configured: "
                           + tenants.map(\.name).joined(separator: ", "))
                throw ExitCode(ExitStatus.usage)
            }
            tenants = [entry]
        }
        let preview = DiscoveryPreview(config: config, tenants: tenants)
        let report = await preview.run { entry in
            guard !json else { return }
            write(entry.renderText() + "\n")
        }
        write((json ? try JSONOutput.string(report) : report.summary) + "\n")
        if !report.failed.isEmpty { throw ExitCode(ExitStatus.failed) }
    }

    /// Straight to standard output, unbuffered: each tenant appears as soon as it is done, even through a pipe.
    private func write(_ text: String) {
        StandardStream.output.write(Redactor.scrub(text))
    }
}
