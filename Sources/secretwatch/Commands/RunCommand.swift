import ArgumentParser
import Foundation
import SecretWatchCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: evaluate every credential each scheduler interval until SIGTERM or SIGINT.",
        discussion: "With --once, run one evaluation pass and exit (handy from cron). Exit 1 when a step of the pass failed.")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Run one evaluation pass, then exit.")
    var once = false

    func run() async throws {
        let config = try options.loadAndBootstrapLogging()
        let daemon: Daemon
        do {
            let path = options.configPath
            let database = options.database != nil ? config.database : nil
            daemon = try Daemon(config: config, reload: {
                var reloaded = try ConfigLoader().load(path: path).config
                if let database { reloaded.database = database } // --database stays in force
                return reloaded
            })
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
        if once {
            let failures = await daemon.runOnce()
            if !failures.isEmpty {
                for (step, message) in failures.sorted(by: { $0.key < $1.key }) {
                    printError("error: step \(step) failed: \(message)")
                }
                throw ExitCode(ExitStatus.failed)
            }
            return
        }
        do {
            try await daemon.run()
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
    }
}
