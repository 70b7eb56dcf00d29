import Foundation
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// A Graph-scope token comes from the same client-credentials flow and token cache as the credential's own token,
/// in an entry of its own.
@Suite("Token cache: a token per scope")
struct GraphTokenScopeTests {
    @Test func theGraphScopeHasItsOwnCacheEntry() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_800_000_000))
        let cache = TokenCache(clients: [f.token.client()], clock: clock, recorder: TokenAttemptRecorder(store: nil))
        let own = try await cache.token(for: "smtp")
        let graph = try await cache.token(for: "smtp", scope: GraphEndpointSettings.defaultScope)
        #expect(own.value != graph.value)
        #expect(f.token.standIn.requests.map { $0.form["scope"] } == [TokenEndpointFixture.scope, GraphEndpointSettings.defaultScope])
        // Both cached: no further request.
        #expect(try await cache.token(for: "smtp", scope: GraphEndpointSettings.defaultScope) == graph)
        #expect(try await cache.token(for: "smtp") == own)
        #expect(f.token.standIn.requestCount == 2)
        // Invalidating the Graph token leaves the credential's own token alone.
        await cache.invalidate(credential: "smtp", token: graph)
        #expect(try await cache.token(for: "smtp") == own)
        _ = try await cache.token(for: "smtp", scope: GraphEndpointSettings.defaultScope)
        #expect(f.token.standIn.requestCount == 3)
        // And the Graph-scope token lists applications.
        let listing = try await f.list(token: graph)
        #expect(listing.applications?.count == 3, "\(listing.result)")
    }

    @Test func aFailingGraphScopeBacksOffOnItsOwn() async throws {
        let f = try GraphFixture()
        defer { f.close() }
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_800_000_000))
        let cache = TokenCache(clients: [f.token.client()], clock: clock, recorder: TokenAttemptRecorder(store: nil), jitter: { 1 })
        _ = try await cache.token(for: "smtp")
        f.token.standIn.enqueue(.entraError(.invalidScope))
        await #expect(throws: TokenFailure.self) { try await cache.token(for: "smtp", scope: GraphEndpointSettings.defaultScope) }
        #expect(await cache.consecutiveFailures(for: "smtp", scope: GraphEndpointSettings.defaultScope) == 1)
        #expect(await cache.consecutiveFailures(for: "smtp") == 0)
        #expect(await cache.retryAt(for: "smtp") == nil)
    }
}
