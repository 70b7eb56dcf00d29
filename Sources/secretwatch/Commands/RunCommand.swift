import ArgumentParser
import Foundation
import SecretWatchCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: evaluate every credential each scheduler interval until SIGTERM or SIGINT.",
        discussion: """
            With --once, run one evaluation pass and exit (handy from cron). Exit 1 when a step of the pass failed.
            One daemon per database: run holds <database>.lock (flock) while it runs; a second run or run --once \
            on the same database exits 1 naming the PID that holds it. status, alarms, check, ack and send-test \
            do not take the lock.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Run one evaluation pass, then exit.")
    var once = false

    @Option(help: ArgumentHelp("Run the clock this many times faster than real time, from now on (demos and end-to-end tests only: 86400 = a day per second).",
                               valueName: "factor"))
    var timeScale: Double?

    func validate() throws {
        if let timeScale, !(timeScale >= 1 && timeScale <= 10_000_000) {
            throw ValidationError("--time-scale must be between 1 and 10000000, got \(timeScale)")
        }
    }

    func run() async throws {
        let config = try options.loadAndBootstrapLogging()
        let daemon: Daemon
        do {
            // Before anything writes to the database: a second daemon on it stops here.
            let lock = try DatabaseLock(database: config.database)
            let path = options.configPath
            let database = options.database != nil ? config.database : nil
            let clock: any WallClock = timeScale.map { ScaledClock(speed: $0) } ?? SystemClock()
            if let timeScale { printError("warning: the clock runs \(timeScale)× faster than real time (--time-scale): for demos and tests only") }
            daemon = try Daemon(config: config, clock: clock, reload: {
                var reloaded = try ConfigLoader().load(path: path).config
                if let database { reloaded.database = database } // --database stays in force
                return reloaded
            }, databaseLock: lock)
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
