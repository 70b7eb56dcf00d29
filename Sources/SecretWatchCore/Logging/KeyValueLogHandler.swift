import FoundationEssentials
import Logging

/// One line per event: `ts=2026-11-29T06:40:00Z level=info msg="alarm raised" kind=client_secret_expiring …`.
/// Every message and value goes through the `Redactor`, and sensitive keys are masked whatever their value.
public struct KeyValueLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: any LogSink

    public init(label: String, level: Logger.Level, sink: any LogSink = StandardErrorLogSink()) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = "ts=\(Timestamps.rfc3339(Date())) level=\(event.level) logger=\(label) msg=\(Self.quote(Redactor.scrub(event.message.description)))"
        for key in merged.keys.sorted() {
            let raw = "\(merged[key]!)"
            let value = Redactor.sensitiveKeys.contains(key.lowercased()) ? Redactor.mask : Redactor.scrub(raw)
            line += " \(key)=\(Self.quote(value))"
        }
        sink.write(line + "\n")
    }

    /// Quotes a value that needs it; control characters, line separators and bidirectional formatting become
    /// escapes (`VisibleText`), so no value can start a line of its own or reach a terminal raw.
    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains(where: {
            $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.properties.isWhitespace || VisibleText.needsEscaping($0)
        })
        guard needsQuotes else { return value }
        let escaped = VisibleText.escaped(value
            .replacingEvery("\\", with: "\\\\")
            .replacingEvery("\"", with: "\\\""))
        return "\"\(escaped)\""
    }
}

/// Where log lines go: standard error for the daemon; tests keep them in memory (SecretWatchTesting).
public protocol LogSink: Sendable {
    /// One whole line, already redacted, ending in a line feed.
    func write(_ line: String)
}

/// The daemon's sink: every line to standard error as it comes.
public struct StandardErrorLogSink: LogSink {
    public init() {}

    public func write(_ line: String) {
        StandardStream.error.write(line)
    }
}

public enum LogSetup {
    /// Installs the key=value handler as the process-wide logging backend (call once, at start-up).
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in KeyValueLogHandler(label: label, level: level) }
    }
}
