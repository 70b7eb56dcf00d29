import ArgumentParser
import Foundation
import SecretWatchCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each watched credential: expiry date, days left, active alarms.",
        discussion: "Reads the database the daemon writes (the configured one, or --database).")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let path = try options.databasePath()
        let store = try openExistingStore(path)
        let policy = options.database == nil ? try options.load(printWarnings: false).config.alarms : AlarmPolicy()
        let report = try StatusReport(store: store, policy: policy, now: Date())
        if json {
            print(try JSONOutput.string(report))
        } else {
            print(report.renderText(), terminator: "")
        }
    }
}
