import Foundation
import Testing
import SecretWatchStandIns
import SecretWatchTesting
@testable import SecretWatchCore

/// The cache with a `ManualClock` in front of the real client and the HTTPS stand-in (which counts requests).
@Suite("Token cache")
struct TokenCacheTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    func cache(_ f: TokenEndpointFixture, clock: ManualClock, jitter: Double = 1) -> TokenCache {
        TokenCache(clients: [f.client()], clock: clock, recorder: TokenAttemptRecorder(store: nil), jitter: { jitter })
    }

    @Test func refreshesFiveMinutesAheadOfAnHourLongToken() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-second", expiresIn: 3600))
        defer { f.close() }
        f.standIn.enqueue(.success(accessToken: "stand-in-token-first", expiresIn: 3600))
        let clock = ManualClock(now: Self.start)
        let cache = cache(f, clock: clock)
        #expect(try await cache.token(for: "smtp").value == "stand-in-token-first")
        clock.advance(by: 3299) // 301 s left: still outside the 300 s margin
        #expect(try await cache.token(for: "smtp").value == "stand-in-token-first")
        #expect(f.standIn.requestCount == 1)
        clock.advance(by: 2) // 299 s left
        let fresh = try await cache.token(for: "smtp")
        #expect(fresh.value == "stand-in-token-second")
        #expect(fresh.expiresAt == Self.start.addingTimeInterval(3301 + 3600))
        #expect(f.standIn.requestCount == 2)
    }

    @Test func shortLifetimesUseTenPercentMargin() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-short", expiresIn: 60))
        defer { f.close() }
        let clock = ManualClock(now: Self.start)
        let cache = cache(f, clock: clock)
        _ = try await cache.token(for: "smtp")
        clock.advance(by: 53) // 7 s left of 60: margin is 6 s
        _ = try await cache.token(for: "smtp")
        #expect(f.standIn.requestCount == 1)
        clock.advance(by: 2) // 5 s left
        _ = try await cache.token(for: "smtp")
        #expect(f.standIn.requestCount == 2)
    }

    @Test func thousandSendsInAnHourMakeAtMostTwoRequests() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-hourly", expiresIn: 3599))
        defer { f.close() }
        let clock = ManualClock(now: Self.start)
        let cache = cache(f, clock: clock)
        for _ in 0..<1000 {
            _ = try await cache.token(for: "smtp")
            clock.advance(by: 3.6)
        }
        #expect(f.standIn.requestCount <= 2)
        #expect(f.standIn.requestCount >= 1)
    }

    @Test func concurrentCallersShareOneRequest() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-shared", expiresIn: 3599))
        defer { f.close() }
        let cache = cache(f, clock: ManualClock(now: Self.start))
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<100 { group.addTask { try await cache.token(for: "smtp").value } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(values == ["stand-in-token-shared"])
        #expect(f.standIn.requestCount == 1)
    }

    @Test func invalidatedTokenIsReplacedButNotTwice() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-later", expiresIn: 3599))
        defer { f.close() }
        f.standIn.enqueue(.success(accessToken: "stand-in-token-refused", expiresIn: 3599),
                          .success(accessToken: "stand-in-token-replacement", expiresIn: 3599))
        let cache = cache(f, clock: ManualClock(now: Self.start))
        let refused = try await cache.token(for: "smtp")
        await cache.invalidate(credential: "smtp", token: refused)
        let replacement = try await cache.token(for: "smtp")
        #expect(replacement.value == "stand-in-token-replacement")
        // A second sender reporting the same refused token must not throw the replacement away.
        await cache.invalidate(credential: "smtp", token: refused)
        #expect(try await cache.token(for: "smtp") == replacement)
        #expect(f.standIn.requestCount == 2)
    }

    @Test func failuresBackOffExponentially() async throws {
        let f = try TokenEndpointFixture(behaviour: .entraError(.invalidClientSecret))
        defer { f.close() }
        let clock = ManualClock(now: Self.start)
        let cache = cache(f, clock: clock, jitter: 1)
        await #expect(throws: TokenFailure.self) { try await cache.token(for: "smtp") }
        #expect(await cache.retryAt(for: "smtp") == Self.start.addingTimeInterval(30))
        clock.advance(by: 29)
        // Still backing off: the last failure again, without a request.
        let repeated = await #expect(throws: TokenFailure.self) { try await cache.token(for: "smtp") }
        #expect(repeated?.reason == .invalidClientSecret)
        #expect(f.standIn.requestCount == 1)
        clock.advance(by: 1)
        await #expect(throws: TokenFailure.self) { try await cache.token(for: "smtp") }
        #expect(f.standIn.requestCount == 2)
        #expect(await cache.retryAt(for: "smtp") == Self.start.addingTimeInterval(30 + 60))
        #expect(await cache.consecutiveFailures(for: "smtp") == 2)
    }

    @Test func jitterKeepsBackoffBetweenHalfAndFullDelay() {
        let policy = TokenCachePolicy()
        #expect(policy.retry.delay(afterFailures: 1, jitter: 0) == 15)
        #expect(policy.retry.delay(afterFailures: 3, jitter: 0.5) == 90)
        #expect(policy.retry.delay(afterFailures: 20, jitter: 1) == 600)
    }

    @Test func retryAfterIsHonoured() async throws {
        let f = try TokenEndpointFixture(behaviour: .throttled(retryAfterSeconds: 120))
        defer { f.close() }
        let clock = ManualClock(now: Self.start)
        let cache = cache(f, clock: clock, jitter: 0)
        await #expect(throws: TokenFailure.self) { try await cache.token(for: "smtp") }
        #expect(await cache.retryAt(for: "smtp") == Self.start.addingTimeInterval(120))
        f.standIn.setBehaviour(.success(accessToken: "stand-in-token-after-429", expiresIn: 3599))
        clock.advance(by: 119)
        await #expect(throws: TokenFailure.self) { try await cache.token(for: "smtp") }
        #expect(f.standIn.requestCount == 1)
        clock.advance(by: 1)
        #expect(try await cache.token(for: "smtp").value == "stand-in-token-after-429")
        #expect(await cache.retryAt(for: "smtp") == nil)
    }

    @Test func failedRefreshKeepsServingTheStillValidToken() async throws {
        let f = try TokenEndpointFixture(behaviour: .raw(status: 503, contentType: "text/plain", body: "busy"))
        defer { f.close() }
        f.standIn.enqueue(.success(accessToken: "stand-in-token-old", expiresIn: 3600))
        let clock = ManualClock(now: Self.start)
        let cache = cache(f, clock: clock)
        _ = try await cache.token(for: "smtp")
        clock.advance(by: 3400) // inside the margin: refresh fails, old token still valid
        #expect(try await cache.token(for: "smtp").value == "stand-in-token-old")
        #expect(f.standIn.requestCount == 2)
        clock.advance(by: 200) // expired now: the next request fails too, and nothing valid is left to serve
        await #expect(throws: TokenFailure.self) { try await cache.token(for: "smtp") }
        #expect(f.standIn.requestCount == 3)
    }
}
