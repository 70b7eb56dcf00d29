import ArgumentParser
import FoundationEssentials
import SecretWatchCore

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the database to FILE while the daemon runs, and check it.",
        discussion: """
            Uses SQLite's online backup API (never a file copy of the live WAL database) and takes no lock: \
            the daemon keeps running and writing. The copy is checked with PRAGMA integrity_check before it \
            takes FILE's name. The database never holds a client secret or a token, so neither does the copy. \
            Restore: stop secretwatch, replace the database file with the copy (and remove its -wal and -shm \
            files), start secretwatch.
            Exit 0 when the copy is written and checked; 1 when FILE exists (without --force), the database is \
            missing or unreadable, or the copy failed its check (nothing is left at FILE); 2 usage error or \
            invalid configuration.
            """)

    @OptionGroup var options: ConfigOptions

    @Argument(help: ArgumentHelp("Where to write the copy (its directory must exist).", valueName: "file"))
    var file: String

    @Flag(help: "Replace FILE when it exists.")
    var force = false

    func run() async throws {
        let source = try options.databasePath()
        let backup = DatabaseBackup(source: source, destination: absolute(file), overwrite: force)
        let outcome: DatabaseBackup.Outcome
        do {
            outcome = try await BlockingExecutor.run { try backup.run() }
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
        print("backup of \(source) written to \(outcome.path) (\(outcome.bytes) bytes, schema version \(outcome.schemaVersion)); integrity_check ok")
    }
}
