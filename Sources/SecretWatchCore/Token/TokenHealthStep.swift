import Foundation

/// The scheduler step that keeps a valid token for every credential with a secret: asks the cache (which
/// requests a token only when the cached one is due for refresh and no backoff is running, and records every
/// request), then brings the token alarms up to date from the recorded attempts.
public struct TokenHealthStep: SchedulerStep {
    public let name = "token_health"
    private let current: @Sendable () -> TokenCache
    public let evaluator: TokenAlarmEvaluator

    /// The cache in force (a reload may replace the daemon's).
    public var cache: TokenCache { current() }

    public init(cache: TokenCache, evaluator: TokenAlarmEvaluator) {
        self.current = { cache }
        self.evaluator = evaluator
    }

    /// Probes through whatever cache the holder has in force at each pass.
    public init(holder: TokenCacheHolder, evaluator: TokenAlarmEvaluator) {
        self.current = { holder.cache }
        self.evaluator = evaluator
    }

    public func run(now: Date) async throws {
        let cache = current()
        for credential in cache.credentials {
            // A failure is already recorded and classified; the alarms below report it.
            _ = try? await cache.token(for: credential)
            try evaluator.evaluate(credential: credential, now: now)
        }
    }
}
