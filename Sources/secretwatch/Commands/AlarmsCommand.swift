import ArgumentParser
import Foundation
import SecretWatchCore

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
                    print("  \(Timestamps.rfc3339(e.at))  \(e.type.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))  \(e.severity?.rawValue ?? "-")  \(VisibleText.escaped(e.detail))")
                }
            }
        }
    }
}
