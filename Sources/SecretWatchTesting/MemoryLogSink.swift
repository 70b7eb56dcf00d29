import SecretWatchCore
import Synchronization

/// A `LogSink` that keeps every line a `KeyValueLogHandler` writes, in order, for a test to read back.
public final class MemoryLogSink: LogSink {
    private let captured = Mutex<[String]>([])

    public init() {}

    /// Every line written so far, each ending in a line feed.
    public var lines: [String] { captured.withLock { $0 } }

    public func write(_ line: String) {
        captured.withLock { $0.append(line) }
    }
}
