import ArgumentParser
import FoundationEssentials
import SecretWatchCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each watched credential: expiry date, days left, active alarms, where it comes from (configuration or Graph), the secret in use; each discovery tenant's last run.",
        discussion: "Reads the database the daemon writes (the configured one, or --database).")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Also list credentials no longer watched (removed in Entra, or no longer in the configuration), with the reason.")
    var includeRemoved = false

    func run() async throws {
        let path = try options.databasePath()
        let store = try openExistingStore(path)
        let policy = options.database == nil ? try options.load(printWarnings: false).config.alarms : AlarmPolicy()
        let report = try StatusReport(store: store, policy: policy, now: Date(), includeRemoved: includeRemoved)
        if json {
            print(try JSONOutput.string(report))
        } else {
            print(report.renderText(), terminator: "")
        }
    }
}

struct AlarmsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alarms",
        abstract: "Show the alarm history, newest first.",
        discussion: "Reads the database the daemon writes (the configured one, or --database).")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Only active (not yet cleared) alarms.")
    var active = false

    @Option(help: "Only alarms of this kind (\(AlarmKind.allCases.map(\.rawValue).joined(separator: ", "))).")
    var kind: String?

    @Option(help: "Only alarms of this credential.")
    var credential: String?

    @Option(help: "At most this many alarms.")
    var limit = 50

    @Flag(help: "Print JSON (each alarm with its event timeline).")
    var json = false

    @Flag(help: "Show each alarm's event timeline in the table output.")
    var events = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be a positive number, got \(limit)") }
        if let kind, AlarmKind(rawValue: kind) == nil {
            throw ValidationError("--kind must be one of \(AlarmKind.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(kind)\"")
        }
    }

    func run() async throws {
        let store = try openExistingStore(try options.databasePath())
        let filter = AlarmFilter(state: active ? .active : .all, kind: kind.flatMap(AlarmKind.init(rawValue:)),
                                 credential: credential, limit: limit)
        let alarms = try store.alarms(filter)
        if json {
            let views = try alarms.map { AlarmView($0, events: try store.events(alarmId: $0.id)) }
            print(try JSONOutput.string(["alarms": views]))
            return
        }
        if alarms.isEmpty {
            print(active ? "no active alarms" : "no alarms")
            return
        }
        var table = TextTable(headers: ["ID", "STATE", "SEVERITY", "KIND", "CREDENTIAL", "RAISED (UTC)", "ACK", "SUMMARY"])
        for a in alarms {
            table.add(["\(a.id)", a.state.rawValue, a.severity.rawValue, a.kind.rawValue, a.credentialName,
                       Timestamps.rfc3339(a.raisedAt), a.acknowledgedBy ?? "-", a.summary])
        }
        print(table.render(), terminator: "")
        if events {
            for a in alarms {
                print("\nalarm #\(a.id) \(a.kind.rawValue) \(VisibleText.escaped(a.credentialName)):")
                for e in try store.events(alarmId: a.id) {
                    print("  \(Timestamps.rfc3339(e.at))  \(e.type.rawValue.fitted(to: 12))  \(e.severity?.rawValue ?? "-")  \(VisibleText.escaped(e.detail))")
                }
            }
        }
    }
}

struct AckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge an active alarm: it stays active until its cause is fixed, but is no longer re-notified.",
        discussion: """
            Exit 0 when acknowledged (or already acknowledged), 1 when the alarm does not exist or is cleared.
            With --json: {"result": "acknowledged" | "already_acknowledged" | "not_active" | "not_found", "alarm": …}
            on standard output (the alarm as GET /api/v1/alarms/{id} shows it), with the same exit status.
            """)

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The alarm id (see `secretwatch alarms`).")
    var alarmId: AlarmIDArgument

    @Option(help: "Who acknowledges (recorded in the history).")
    var by: String

    @Option(help: "Why, or what is being done about it.")
    var comment: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard !by.trimmingSpaces.isEmpty else { throw ValidationError("--by must name who acknowledges") }
        for (option, value) in [("--by", by), ("--comment", comment ?? "")] {
            if let scalar = VisibleText.firstRefused(in: value) {
                throw ValidationError("\(option) contains a control character or line break (\(VisibleText.escaped(String(scalar)))); only tab is allowed")
            }
        }
    }

    func run() async throws {
        let store = try openExistingStore(try options.databasePath())
        let engine = AlarmEngine(store: store)
        let result = try engine.acknowledge(alarmId: alarmId.value, by: by, comment: comment, at: Date())
        let answer = try AckResult(alarmId: alarmId.value, result, events: { try store.events(alarmId: $0) })
        if json {
            try printJSON(answer)
        } else if let error = answer.error {
            printError("error: \(error)")
        } else {
            print(answer.line)
        }
        if answer.error != nil {
            throw ExitCode(ExitStatus.failed)
        }
    }
}

/// An alarm id argument: canonical decimal only (`RecordID.parse`), so `+1` and `01` are refused like `abc`.
struct AlarmIDArgument: ExpressibleByArgument {
    let value: Int64

    init?(argument: String) {
        guard let value = RecordID.parse(argument) else { return nil }
        self.value = value
    }
}
