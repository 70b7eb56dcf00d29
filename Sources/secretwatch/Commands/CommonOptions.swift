import ArgumentParser
import FoundationEssentials
import Logging
import SecretWatchCore

/// Options every command that reads the configuration shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Configuration file (default: $SECRETWATCH_CONFIG, else \(ConfigDefaults.configPath)).")
    var config: String?

    @Option(help: "Use this SQLite database instead of the configured one.")
    var database: String?

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical (default: the config's log_level).",
                               valueName: "level"))
    var logLevel: String?

    var configPath: String { resolvedConfigPath(config) }

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got \"\(logLevel)\"")
        }
    }

    /// Loads and validates the configuration; on failure prints every problem and exits 2.
    func load(printWarnings: Bool = true) throws -> ConfigLoader.Loaded {
        var loaded = try loadConfiguration(path: configPath, printWarnings: printWarnings)
        if let database { loaded.config.database = absolute(database) }
        return loaded
    }

    /// Loads and validates the configuration without printing anything (for `--json`): the caller reports.
    func loadQuietly() throws(ConfigError) -> ConfigLoader.Loaded {
        var loaded = try ConfigLoader().load(path: configPath)
        if let database { loaded.config.database = absolute(database) }
        return loaded
    }

    /// Loads the configuration and installs logging at the configured (or overridden) level.
    func loadAndBootstrapLogging() throws -> Config {
        let loaded = try load()
        let level = logLevel.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? loaded.config.logLevel
        LogSetup.bootstrap(level: level)
        return loaded.config
    }

    /// The database path for read-only commands: --database, else the configuration's.
    func databasePath() throws -> String {
        if let database { return absolute(database) }
        return try load(printWarnings: false).config.database
    }
}

/// `--config`, else $SECRETWATCH_CONFIG, else the default path.
func resolvedConfigPath(_ option: String?) -> String {
    option ?? ProcessInfo.processInfo.environment["SECRETWATCH_CONFIG"] ?? ConfigDefaults.configPath
}

/// Loads and validates the configuration at `path`; on failure prints every problem and exits 2.
func loadConfiguration(path: String, printWarnings: Bool = true) throws -> ConfigLoader.Loaded {
    do {
        let loaded = try ConfigLoader().load(path: path)
        if printWarnings {
            for warning in loaded.warnings { printError("warning: \(warning)") }
        }
        return loaded
    } catch {
        printError("error: \(error)")
        throw ExitCode(ExitStatus.usage)
    }
}

/// The configuration at `path`, warnings printed; exits 2 when it is invalid.
func loadConfiguration(path: String) throws -> Config {
    try loadConfiguration(path: path, printWarnings: true).config
}

func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

/// Prints `value` as indented JSON with sorted snake_case keys (the `--json` output of every command).
func printJSON<T: Encodable>(_ value: T) throws {
    print(try JSONOutput.string(value))
}

func printError(_ text: String) {
    StandardStream.error.write(Redactor.scrub(text) + "\n")
}

/// Runs `body` (opening the store, building the daemon…); a failure is printed and exits 1.
func orExit<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError("error: \(error)")
        throw ExitCode(ExitStatus.failed)
    }
}

/// Opens an existing database for the reading commands; never creates one.
func openExistingStore(_ path: String) throws -> Store {
    guard FileManager.default.fileExists(atPath: path) else {
        printError("error: database \(path) does not exist yet; start secretwatch (secretwatch run) to create it")
        throw ExitCode(ExitStatus.failed)
    }
    do {
        return try Store(path: path)
    } catch {
        printError("error: \(error)")
        throw ExitCode(ExitStatus.failed)
    }
}
