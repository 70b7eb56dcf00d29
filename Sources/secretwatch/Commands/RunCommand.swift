import ArgumentParser
import FoundationEssentials
import SecretWatchCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: evaluate every credential each scheduler interval until SIGTERM or SIGINT.",
        discussion: """
            With --once (for cron): one evaluation pass, then deliver the mail that is due — the pass's alarm \
            e-mails and retries that fell due — retrying transient failures until --deliver-timeout; mail whose \
            next retry comes later stays queued for a later run. Exit 1 when a step of the pass failed or due mail \
            is still undelivered at the deadline (it stays queued).
            One daemon per database: run holds <database>.lock (flock) while it runs; a second run or run --once \
            on the same database exits 1 naming the PID that holds it. status, alarms, check, ack and send-test \
            do not take the lock.
            """)

    /// Shorter than a 5-minute cron interval, so that one run ends before the next starts (which would find the
    /// database locked).
    static let defaultDeliverTimeout: TimeInterval = 240
    static let deliverTimeoutRange: ClosedRange<TimeInterval> = 1...86400

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Run one evaluation pass, deliver what is due, then exit.")
    var once = false

    @Option(help: ArgumentHelp("With --once: how long to keep delivering and retrying due mail (default 4m; 1s to 1d).",
                               valueName: "duration"))
    var deliverTimeout: String?

    @Option(help: ArgumentHelp("Run the clock this many times faster than real time, from now on (demos and end-to-end tests only: 86400 = a day per second).",
                               valueName: "factor"))
    var timeScale: Double?

    func validate() throws {
        if let timeScale, !(timeScale >= 1 && timeScale <= 10_000_000) {
            throw ValidationError("--time-scale must be between 1 and 10000000, got \(timeScale)")
        }
        if let deliverTimeout {
            guard let seconds = DurationText.parse(deliverTimeout), Self.deliverTimeoutRange.contains(seconds) else {
                throw ValidationError("--deliver-timeout \"\(deliverTimeout)\" is not a duration between 1s and 1d (use 30s, 5m, …)")
            }
            guard once else { throw ValidationError("--deliver-timeout applies to --once only") }
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
            try await runOnce(daemon)
            return
        }
        do {
            try await daemon.run()
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
    }

    /// One pass, then the due mail; exit 1 when a step failed or due mail is left undelivered.
    private func runOnce(_ daemon: Daemon) async throws {
        var ok = true
        let failures = await daemon.runOnce()
        for (step, message) in failures.sorted(by: { $0.key < $1.key }) {
            printError("error: step \(step) failed: \(message)")
            ok = false
        }
        let timeout = deliverTimeout.flatMap(DurationText.parse) ?? Self.defaultDeliverTimeout
        let round: OutboxRound
        do {
            round = try await daemon.deliverDue(within: timeout)
        } catch {
            printError("error: cannot deliver the outbox: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
        if !round.complete {
            ok = false
            printError(Self.describe(round, timeout: deliverTimeout ?? DurationText.format(timeout)))
        }
        if !ok { throw ExitCode(ExitStatus.failed) }
    }

    /// What is wrong with the round's mail, for stderr (and so for the operator cron mails it to).
    static func describe(_ round: OutboxRound, timeout: String) -> String {
        func mails(_ n: Int) -> String { n == 1 ? "1 e-mail" : "\(n) e-mails" }
        var lines: [String] = []
        if round.undelivered > 0 {
            lines.append("error: \(mails(round.undelivered)) \(round.undelivered == 1 ? "is" : "are") still queued after --deliver-timeout \(timeout)")
        }
        if round.failed > 0 {
            lines.append("error: \(mails(round.failed)) could not be delivered to every recipient and will not be retried")
        }
        let known = round.lastReason.flatMap(SMTPFailureReason.named)
        if let reason = round.lastReason {
            lines.append("last failure: \(reason)" + (known.map { " — \($0.message)" } ?? "") + (round.lastReply.map { " (\($0))" } ?? ""))
            if let known { lines.append("fix: \(known.fix)") }
        } else {
            lines.append("last failure: none — the mail was not attempted before the deadline (mailer.rate_per_minute)")
        }
        if round.undelivered > 0 {
            lines.append("queued mail stays in the outbox: the next run --once (or a running daemon) retries it")
        }
        return lines.joined(separator: "\n")
    }
}
