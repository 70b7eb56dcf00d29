import FoundationEssentials
import Synchronization

/// The production `TokenProvider`: tokens in memory only, per (credential, scope) — a credential's own scope, or
/// another resource's asked with `token(for:scope:)` (Microsoft Graph); refreshed ahead of expiry
/// (`TokenCachePolicy`); concurrent callers share one in-flight request; a refused token can be invalidated.
/// After a failure, further requests wait (exponential backoff with jitter, at least a 429's `Retry-After`);
/// meanwhile callers get a still-valid token if there is one, else the last failure. Every request made is
/// recorded (`TokenAttemptRecorder`). Time comes from the injected clock.
public actor TokenCache: TokenProvider {
    private struct Key: Hashable {
        var credential: String
        var scope: String
    }

    private struct Entry {
        var token: AccessToken?
        var inFlight: Task<Result<AccessToken, TokenFailure>, Never>?
        var consecutiveFailures = 0
        var retryAt: Date?
        var lastFailure: TokenFailure?
    }

    private let clients: [String: EntraTokenClient]
    private let clock: any WallClock
    private let policy: TokenCachePolicy
    private let recorder: TokenAttemptRecorder
    private let jitter: @Sendable () -> Double
    private var entries: [Key: Entry] = [:]

    /// - Parameter jitter: a random number in 0…1 for each backoff.
    public init(clients: [EntraTokenClient], clock: any WallClock, recorder: TokenAttemptRecorder,
                policy: TokenCachePolicy = TokenCachePolicy(),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.clients = Dictionary(clients.map { ($0.settings.credential, $0) }, uniquingKeysWith: { first, _ in first })
        self.clock = clock
        self.policy = policy
        self.recorder = recorder
        self.jitter = jitter
    }

    /// The credentials this cache can get tokens for.
    public nonisolated var credentials: [String] { clients.keys.sorted() }

    /// The credentials the token-health step probes (not discovery's reader apps), with the scope of each.
    public nonisolated var probedCredentials: [(name: String, scope: String)] {
        clients.values.filter(\.settings.probed).map { ($0.settings.credential, $0.settings.scope) }.sorted { $0.name < $1.name }
    }

    public func token(for credential: String) async throws -> AccessToken {
        try await token(for: credential, client: client(credential))
    }

    /// A token of `credential`'s app for another resource (`https://graph.microsoft.com/.default`): the same
    /// client-credentials request with this scope, cached, refreshed and backed off in an entry of its own.
    public func token(for credential: String, scope: String) async throws -> AccessToken {
        try await token(for: credential, client: client(credential).scoped(scope))
    }

    private func client(_ credential: String) -> EntraTokenClient {
        guard let client = clients[credential] else {
            preconditionFailure("no token client for credential \(credential); only credentials with a secret have one")
        }
        return client
    }

    private func token(for credential: String, client: EntraTokenClient) async throws -> AccessToken {
        let key = Key(credential: credential, scope: client.settings.scope)
        let now = clock.now()
        let entry = entries[key] ?? Entry()
        if let token = entry.token, now < policy.refreshAt(token) { return token }
        let task: Task<Result<AccessToken, TokenFailure>, Never>
        if let inFlight = entry.inFlight {
            task = inFlight
        } else {
            if let retryAt = entry.retryAt, now < retryAt, let failure = entry.lastFailure {
                if let token = entry.token, now < token.expiresAt { return token }
                throw failure
            }
            task = Task { await self.fetch(key, client) }
            entries[key, default: Entry()].inFlight = task
        }
        switch await task.value {
        case .success(let token):
            return token
        case .failure(let failure):
            // A refresh ahead of expiry failed: the old token still works until it expires.
            if let token = entries[key]?.token, clock.now() < token.expiresAt { return token }
            throw failure
        }
    }

    /// Forgets `token` (a server refused it) unless a newer one has replaced it already.
    public func invalidate(credential: String, token: AccessToken) async {
        for key in entries.keys where key.credential == credential && entries[key]?.token == token {
            entries[key]?.token = nil
        }
    }

    /// When the next request may be made after failures (nil when not backing off), for the credential's own scope
    /// or `scope`.
    public func retryAt(for credential: String, scope: String? = nil) -> Date? {
        entries[key(credential, scope)]?.retryAt
    }

    public func consecutiveFailures(for credential: String, scope: String? = nil) -> Int {
        entries[key(credential, scope)]?.consecutiveFailures ?? 0
    }

    private func key(_ credential: String, _ scope: String?) -> Key {
        Key(credential: credential, scope: scope ?? clients[credential]?.settings.scope ?? "")
    }

    private func fetch(_ key: Key, _ client: EntraTokenClient) async -> Result<AccessToken, TokenFailure> {
        let outcome = await client.request(startedAt: clock.now())
        recorder.record(outcome)
        var entry = entries[key] ?? Entry()
        entry.inFlight = nil
        switch outcome.result {
        case .success(let token):
            entry.token = token
            entry.consecutiveFailures = 0
            entry.retryAt = nil
            entry.lastFailure = nil
        case .failure(let failure):
            entry.consecutiveFailures += 1
            var delay = policy.retry.delay(afterFailures: entry.consecutiveFailures, jitter: jitter())
            if let asked = failure.retryAfter { delay = max(delay, asked) }
            entry.retryAt = clock.now().addingTimeInterval(delay)
            entry.lastFailure = failure
        }
        entries[key] = entry
        return outcome.result
    }
}

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
