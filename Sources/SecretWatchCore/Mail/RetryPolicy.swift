import Foundation

/// When a failed message is tried again: exponential backoff with jitter for transient failures (so that
/// workers do not retry in lock-step), the longest interval while the mail path is blocked.
public struct RetryPolicy: Sendable {
    public var initial: TimeInterval
    public var maximum: TimeInterval
    /// A number in 0..<1; injected so that tests can pin it.
    public var jitter: @Sendable () -> Double

    public init(initial: TimeInterval, maximum: TimeInterval, jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Delay before attempt `attempts + 1`, after `attempts` failed ones (1 = the first failure):
    /// min(max, initial·2^(attempts−1)) scaled into [½, 1) of that by the jitter.
    public func delay(afterAttempts attempts: Int, disposition: SMTPReason.Disposition) -> TimeInterval {
        switch disposition {
        case .blocking, .permanent:
            return maximum
        case .transient:
            let exponent = Double(max(0, min(attempts - 1, 30)))
            let base = min(maximum, initial * pow(2, exponent))
            return base * (0.5 + 0.5 * min(max(jitter(), 0), 0.999_999))
        }
    }
}
