import Foundation

/// Seconds (a `TimeInterval`) to the whole units `Task.sleep` takes, without the trap that `UInt64(_:)` raises on
/// an out-of-range or non-finite value.
public enum CheckedConversion {
    /// Nanoseconds for a sleep: negative or NaN → 0, beyond `UInt64.max` (584 years) → `UInt64.max`.
    public static func sleepNanoseconds(_ seconds: TimeInterval) -> UInt64 {
        let value = seconds * 1_000_000_000
        guard value > 0 else { return 0 }
        guard value < 1.8e19 else { return .max }
        return UInt64(value)
    }
}
