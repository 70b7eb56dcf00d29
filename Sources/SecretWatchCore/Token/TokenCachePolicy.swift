import Foundation

/// When a cached token is refreshed and how retries back off after a failure.
public struct TokenCachePolicy: Sendable, Equatable {
    /// Refresh when this share of the lifetime is left…
    public var refreshFraction: Double
    /// …but never earlier than this before expiry (a one-hour token is refreshed 5 minutes ahead).
    public var maxRefreshMargin: TimeInterval
    /// First retry delay after a failure; doubles with every further failure up to `backoffCap`.
    public var backoffBase: TimeInterval
    public var backoffCap: TimeInterval

    public init(refreshFraction: Double = 0.1, maxRefreshMargin: TimeInterval = 300, backoffBase: TimeInterval = 30,
                backoffCap: TimeInterval = 600) {
        self.refreshFraction = refreshFraction
        self.maxRefreshMargin = maxRefreshMargin
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
    }

    /// When a token should be replaced: `min(5 min, 10 % of its lifetime)` before it expires.
    public func refreshAt(_ token: AccessToken) -> Date {
        token.expiresAt.addingTimeInterval(-min(maxRefreshMargin, max(0, token.lifetime) * refreshFraction))
    }

    /// Delay before the next attempt after `failures` consecutive failures: exponential, capped, with "equal
    /// jitter" (half fixed, half random) so that many instances do not retry in step. `jitter` is in 0…1.
    public func backoff(failures: Int, jitter: Double) -> TimeInterval {
        let exponent = Double(max(0, min(failures - 1, 30)))
        let delay = min(backoffCap, backoffBase * pow(2, exponent))
        return delay / 2 + delay / 2 * min(1, max(0, jitter))
    }
}
