import Foundation

/// How long to wait before trying again after failures — the one backoff of secretwatch, used by the outbox
/// (`mailer.retry_initial`, `mailer.retry_max`) and the token cache (30 s doubling to 10 min): exponential from
/// `initial`, capped at `maximum`, with "equal jitter" (half fixed, half random) so that workers and instances
/// do not retry in lock-step.
public struct RetryPolicy: Sendable {
    public var initial: TimeInterval
    public var maximum: TimeInterval
    /// A number in 0…1 for each delay; injected so that tests can pin it.
    public var jitter: @Sendable () -> Double

    public init(initial: TimeInterval, maximum: TimeInterval,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Delay after `failures` consecutive failures (1 = the first): min(maximum, initial·2^(failures−1)), scaled
    /// into [½, 1] of that by `jitter` (the policy's own when nil).
    public func delay(afterFailures failures: Int, jitter: Double? = nil) -> TimeInterval {
        let exponent = Double(max(0, min(failures - 1, 30)))
        let base = min(maximum, initial * pow(2, exponent))
        return base / 2 + base / 2 * min(1, max(0, jitter ?? self.jitter()))
    }
}
