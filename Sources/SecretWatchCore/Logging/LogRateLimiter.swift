import FoundationEssentials
import Logging
import Synchronization

/// Keeps a failure that repeats from flooding the log: the first of a run of identical lines is written, the
/// ones after it are counted and held back, and at most one per `interval` is written again, carrying
/// `repeated=<count>` (how many identical lines were held back since the last one written). Lines are identical
/// when their logger, level, message and metadata are (`Logger.log(level:_:metadata:limitedBy:)` builds the key).
///
/// A count still held back when the failure stops is not written; the component's own "recovered" line says
/// that it stopped. At most `capacity` different lines are tracked; the least recently written is forgotten
/// first.
public final class LogRateLimiter: Sendable {
    private struct Entry {
        var writtenAt: Date
        var held: Int
    }

    public static let defaultInterval: TimeInterval = 300

    public let interval: TimeInterval
    private let clock: any WallClock
    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    public init(interval: TimeInterval = LogRateLimiter.defaultInterval, clock: any WallClock = SystemClock(), capacity: Int = 128) {
        precondition(interval >= 0 && capacity >= 1, "a log rate limiter needs a non-negative interval and room for one line")
        self.interval = interval
        self.clock = clock
        self.capacity = capacity
    }

    /// Whether the line `key` is written now: nil holds it back; otherwise the number of identical lines held
    /// back since it was last written (0 the first time).
    public func admit(_ key: String) -> Int? {
        let now = clock.now()
        return entries.withLock { entries -> Int? in
            if var entry = entries[key] {
                guard now.timeIntervalSince(entry.writtenAt) >= interval else {
                    entry.held += 1
                    entries[key] = entry
                    return nil
                }
                entries[key] = Entry(writtenAt: now, held: 0)
                return entry.held
            }
            if entries.count >= capacity, let oldest = entries.min(by: { $0.value.writtenAt < $1.value.writtenAt })?.key {
                entries.removeValue(forKey: oldest)
            }
            entries[key] = Entry(writtenAt: now, held: 0)
            return 0
        }
    }
}

extension Logger {
    /// Logs through `limiter`: a line identical to one written less than `limiter.interval` ago is held back
    /// and counted; the next one written says how many were (`repeated=<count>`).
    public func log(level: Logger.Level, _ message: @autoclosure () -> Logger.Message, metadata: Logger.Metadata = [:],
                    limitedBy limiter: LogRateLimiter, file: String = #fileID, function: String = #function, line: UInt = #line) {
        guard logLevel <= level else { return }
        let text = message()
        var key = "\(label)\u{1f}\(level)\u{1f}\(text)"
        for name in metadata.keys.sorted() { key += "\u{1f}\(name)=\(metadata[name]!)" }
        guard let repeated = limiter.admit(key) else { return }
        var written = metadata
        if repeated > 0 { written["repeated"] = "\(repeated)" }
        log(level: level, text, metadata: written, file: file, function: function, line: line)
    }
}
