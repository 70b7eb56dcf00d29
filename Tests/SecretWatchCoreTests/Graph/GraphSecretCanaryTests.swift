import Foundation
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// A canary secret and a canary token go through the Graph path — the token cache's Graph-scope entry, then every
/// kind of failed listing, among them a proxy page that quotes the request's Authorization header — and no
/// failure's message, fix, detail or description holds either.
@Suite("Graph: secrets and tokens never leave the process")
struct GraphSecretCanaryTests {
    @Test func noFailureTextHoldsTheSecretOrTheToken() async throws {
        let f = try GraphFixture(behaviour: .success(accessToken: SecretCanaryTests.token, expiresIn: 3599), secret: SecretCanaryTests.secret)
        defer { f.close() }
        let cache = TokenCache(clients: [f.token.client()], clock: ManualClock(now: Date()), recorder: TokenAttemptRecorder(store: nil))
        let token = try await cache.token(for: "smtp", scope: GraphEndpointSettings.defaultScope)
        #expect(token.value.hasPrefix(SecretCanaryTests.token)) // the canary really flowed
        #expect(f.token.standIn.requests.first?.form["client_secret"] == SecretCanaryTests.secret)
        f.graph.enqueue(.echoRequest, .permissionDenied, .throttled(retryAfterSeconds: 1), .malformed, .unavailable(retryAfterSeconds: nil))
        var texts: [String] = []
        for _ in 0..<5 {
            let failure = try await f.failure(token: token)
            texts += [failure.message, failure.fix, failure.detail ?? "", failure.description, String(describing: failure)]
        }
        let echoed = try #require(f.graph.requests.first?.headers["authorization"])
        #expect(echoed.contains(SecretCanaryTests.token), "the leak path was exercised")
        #expect(texts[2].contains("Request blocked by policy"), "the echo page reached the detail: \(texts[2])")
        SecretCanaryTests.expectNoCanary(texts + [String(describing: token)])
    }
}
