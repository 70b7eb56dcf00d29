import ArgumentParser
internal import CSecretWatchProcessSetup
import FoundationEssentials
import Glibc
import SecretWatchCore

/// Exit codes, documented in `secretwatch --help` and README.md.
enum ExitStatus {
    static let ok: Int32 = 0
    /// A check failed (`check --connect`), or a runtime failure (database unusable, a scheduler step failed).
    static let failed: Int32 = 1
    /// Usage error or invalid configuration.
    static let usage: Int32 = 2
}

struct SecretWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secretwatch",
        abstract: "Watches the Entra client secrets, OAuth tokens and mail deliveries behind OAuth SMTP (Exchange Online).",
        discussion: """
            Exit codes: 0 ok; 1 a check failed or a runtime failure; 2 usage error or invalid configuration.
            The configuration file defaults to $SECRETWATCH_CONFIG, else \(ConfigDefaults.configPath).
            """,
        version: SecretWatchVersion.string,
        subcommands: [RunCommand.self, CheckCommand.self, StatusCommand.self, AlarmsCommand.self, DemoCommand.self,
                      SendTestCommand.self, AckCommand.self, DiscoverCommand.self, RulesCommand.self, BackupCommand.self])
}

@main
enum Main {
    static func main() async {
        // The arena cap and the refusal of core dumps ran before main (CSecretWatchProcessSetup); referencing them
        // keeps the constructors linked in.
        _ = sw_process_arena_max()
        BuildInfo.record(revision: String(cString: sw_build_revision()))
        if sw_process_dumpable() != 0 {
            StandardStream.error.write("warning: cannot make the process non-dumpable; a core dump could hold secrets\n")
        }
        do {
            var command = try SecretWatchCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch {
            let code = SecretWatchCommand.exitCode(for: error)
            let message = SecretWatchCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                Glibc.exit(ExitStatus.ok)
            }
            StandardStream.error.write(message + "\n")
            // ArgumentParser reports usage errors as EX_USAGE (64); secretwatch documents 2.
            Glibc.exit(code == .validationFailure ? ExitStatus.usage : ExitStatus.failed)
        }
    }
}
