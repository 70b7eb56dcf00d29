import Foundation
import Synchronization

/// The daemon's token cache, replaceable when a reload changes the token settings (a rotated secret file path,
/// another endpoint, a new watched credential). It is itself a `TokenProvider` that forwards to the cache in
/// force, so the token-health step and the mailer always share one cache — one token request serves both.
public final class TokenCacheHolder: TokenProvider {
    private struct Current {
        var settings: [TokenEndpointSettings]
        var cache: TokenCache
    }

    private let current: Mutex<Current>

    public init(settings: [TokenEndpointSettings], cache: TokenCache) {
        current = Mutex(Current(settings: settings, cache: cache))
    }

    public var cache: TokenCache { current.withLock { $0.cache } }
    public var settings: [TokenEndpointSettings] { current.withLock { $0.settings } }

    /// Puts a cache built for `settings` in force (the old one's tokens are dropped with it).
    public func replace(settings: [TokenEndpointSettings], cache: TokenCache) {
        current.withLock { $0 = Current(settings: settings, cache: cache) }
    }

    public func token(for credential: String) async throws -> AccessToken {
        try await cache.token(for: credential)
    }

    public func invalidate(credential: String, token: AccessToken) async {
        await cache.invalidate(credential: credential, token: token)
    }
}
