import Foundation

/// When a cached token is refreshed and how retries back off after a failure.
public struct TokenCachePolicy: Sendable {
    /// Refresh when this share of the lifetime is left…
    public var refreshFraction: Double
    /// …but never earlier than this before expiry (a one-hour token is refreshed 5 minutes ahead).
    public var maxRefreshMargin: TimeInterval
    /// After a failed request: 30 s, doubling with every further failure up to 10 minutes (a 429's
    /// `Retry-After` lengthens it). The cache supplies the jitter.
    public var retry: RetryPolicy

    public init(refreshFraction: Double = 0.1, maxRefreshMargin: TimeInterval = 300,
                retry: RetryPolicy = RetryPolicy(initial: 30, maximum: 600)) {
        self.refreshFraction = refreshFraction
        self.maxRefreshMargin = maxRefreshMargin
        self.retry = retry
    }

    /// When a token should be replaced: `min(5 min, 10 % of its lifetime)` before it expires.
    public func refreshAt(_ token: AccessToken) -> Date {
        token.expiresAt.addingTimeInterval(-min(maxRefreshMargin, max(0, token.lifetime) * refreshFraction))
    }
}
