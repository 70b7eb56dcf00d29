import ArgumentParser
import Foundation
import SecretWatchCore

struct AckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge an active alarm: it stays active until its cause is fixed, but is no longer re-notified.",
        discussion: "Exit 0 when acknowledged (or already acknowledged), 1 when the alarm does not exist or is cleared.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The alarm id (see `secretwatch alarms`).")
    var alarmId: AlarmIDArgument

    @Option(help: "Who acknowledges (recorded in the history).")
    var by: String

    @Option(help: "Why, or what is being done about it.")
    var comment: String?

    func validate() throws {
        guard !by.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--by must name who acknowledges") }
        for (option, value) in [("--by", by), ("--comment", comment ?? "")] {
            if let scalar = VisibleText.firstRefused(in: value) {
                throw ValidationError("\(option) contains a control character or line break (\(VisibleText.escaped(String(scalar)))); only tab is allowed")
            }
        }
    }

    func run() async throws {
        let store = try openExistingStore(try options.databasePath())
        let engine = AlarmEngine(store: store)
        switch try engine.acknowledge(alarmId: alarmId.value, by: by, comment: comment, at: Date()) {
        case .acknowledged(let alarm):
            print("alarm #\(alarm.id) \(alarm.kind.rawValue) \(alarm.credentialName) acknowledged by \(by); no more reminders")
        case .alreadyAcknowledged(let alarm):
            print("alarm #\(alarm.id) was already acknowledged by \(VisibleText.escaped(alarm.acknowledgedBy ?? "?")) at \(alarm.acknowledgedAt.map(Timestamps.rfc3339) ?? "?")")
        case .notActive(let alarm):
            printError("error: alarm #\(alarm.id) is cleared (since \(alarm.clearedAt.map(Timestamps.rfc3339) ?? "?")); nothing to acknowledge")
            throw ExitCode(ExitStatus.failed)
        case .notFound:
            printError("error: there is no alarm #\(alarmId.value)")
            throw ExitCode(ExitStatus.failed)
        }
    }
}

/// An alarm id argument: canonical decimal only (`AlarmID.parse`), so `+1` and `01` are refused like `abc`.
struct AlarmIDArgument: ExpressibleByArgument {
    let value: Int64

    init?(argument: String) {
        guard let value = AlarmID.parse(argument) else { return nil }
        self.value = value
    }
}
