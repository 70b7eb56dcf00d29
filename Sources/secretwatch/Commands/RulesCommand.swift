import ArgumentParser
import FoundationEssentials
import SecretWatchCore

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Print the Prometheus alert rules for the configured expiry thresholds.",
        discussion: """
            The expiry alerts fire where the alarms do: warning within the largest of alarms.thresholds_days, \
            critical within alarms.critical_days. Without --config, for the default thresholds (the shipped \
            alerts/secretwatch.rules.yml). The configuration's secrets are not read. Write the output where \
            Prometheus's rule_files points and reload Prometheus.
            """)

    @Option(name: .shortAndLong, help: "Take alarms.thresholds_days and alarms.critical_days from this configuration file (default: the built-in defaults).")
    var config: String?

    @Option(help: ArgumentHelp("Where each alert's runbook_url points: a copy of docs/troubleshooting.md (default: \(AlertRules.defaultRunbookBase)).",
                               valueName: "url"))
    var runbookBase: String = AlertRules.defaultRunbookBase

    func run() throws {
        var policy = AlarmPolicy()
        if let config {
            do {
                policy = try ConfigLoader(checkSecrets: false).load(path: config).config.alarms
            } catch {
                printError("error: \(error)")
                throw ExitCode(ExitStatus.usage)
            }
        }
        print(AlertRules.render(policy: policy, runbookBase: runbookBase), terminator: "")
    }
}
