import FoundationEssentials

/// Every conversion of a duration in the domain lives here: configuration text (`DurationText`), nanoseconds for
/// `Task.sleep` (`CheckedConversion`), and `Duration` to seconds. (libcurl's milliseconds are the Curl target's.)

/// Durations written the Prometheus way: `90s`, `5m`, `1h30m`, `7d`, `2w`, `500ms`.
public enum DurationText {
    private static let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)]

    public static func parse(_ text: String) -> TimeInterval? {
        var rest = Substring(text.trimmingSpaces)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix(while: { $0.isASCII && $0.isLetter })
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        return total
    }

    /// The shortest exact spelling: 86400 → `1d`, 5400 → `1h30m`.
    /// Values no `Int` holds (not finite, or beyond ~29 million years) are written as plain seconds.
    public static func format(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e15 else { return "\(seconds)s" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        var rest = Int(seconds.rounded())
        var out = ""
        for (name, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(name)"
            rest %= size
        }
        return out.isEmpty ? "0s" : out
    }
}

/// Seconds (a `TimeInterval`) to the whole nanoseconds `Task.sleep` takes, without the trap that
/// `Int(_:)`/`UInt64(_:)` raise on an out-of-range or non-finite value.
public enum CheckedConversion {
    /// Nanoseconds for a sleep: negative or NaN → 0, beyond `UInt64.max` (584 years) → `UInt64.max`.
    public static func sleepNanoseconds(_ seconds: TimeInterval) -> UInt64 {
        let value = seconds * 1_000_000_000
        guard value > 0 else { return 0 }
        guard value < 1.8e19 else { return .max }
        return UInt64(value)
    }
}

extension Duration {
    /// This duration in seconds, as the rest of secretwatch counts time (`TimeInterval`).
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
