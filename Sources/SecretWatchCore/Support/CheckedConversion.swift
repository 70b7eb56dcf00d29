import Foundation

/// Seconds (a `TimeInterval`) to the whole units C interfaces and `Task.sleep` take, without the trap that
/// `Int(_:)`/`UInt64(_:)` raise on an out-of-range or non-finite value.
public enum CheckedConversion {
    /// Whole milliseconds, at least 1 for a positive value (0 means "no timeout" to libcurl); nil when negative,
    /// not finite or beyond `Int.max`.
    public static func milliseconds(_ seconds: TimeInterval) -> Int? {
        let value = (seconds * 1000).rounded()
        guard value.isFinite, seconds >= 0, value < 9.0e18 else { return nil }
        return seconds > 0 ? max(1, Int(value)) : 0
    }

    /// Nanoseconds for a sleep: negative or NaN → 0, beyond `UInt64.max` (584 years) → `UInt64.max`.
    public static func sleepNanoseconds(_ seconds: TimeInterval) -> UInt64 {
        let value = seconds * 1_000_000_000
        guard value > 0 else { return 0 }
        guard value < 1.8e19 else { return .max }
        return UInt64(value)
    }
}
