import Foundation
import SecretWatchCore
import Synchronization

/// Bearer tokens the SMTP test servers tell apart: one they accept, one they refuse as stale, and another.
public enum TestTokens {
    public static let good = "test-bearer-accepted-0001"
    public static let stale = "test-bearer-stale-0002"
    public static let other = "test-bearer-other-0003"
}

/// A small real `TokenProvider`: hands out its tokens in order, moving to the next one when the current one is
/// invalidated (the 535-then-refresh case), and counts requests. `failure` makes every request fail.
public final class TestTokenProvider: TokenProvider {
    private struct State {
        var index = 0
        var requests = 0
        var invalidations = 0
    }
    private let tokens: [String]
    private let failure: OperatorError?
    /// Where issued tokens' lifetimes start (a test on a `ManualClock` passes one at the same time, or the tokens
    /// look expired to the mailer and it asks for one per message).
    private let clock: any WallClock
    private let state = Mutex(State())

    public init(_ tokens: [String] = [TestTokens.good], failure: OperatorError? = nil, clock: any WallClock = SystemClock()) {
        self.tokens = tokens
        self.failure = failure
        self.clock = clock
    }

    public var requests: Int { state.withLock { $0.requests } }
    public var invalidations: Int { state.withLock { $0.invalidations } }

    public func token(for credential: String) async throws -> AccessToken {
        let value = state.withLock { s -> String in
            s.requests += 1
            return tokens[min(s.index, tokens.count - 1)]
        }
        if let failure { throw failure }
        let now = clock.now()
        return AccessToken(value: value, obtainedAt: now, expiresAt: now.addingTimeInterval(3599))
    }

    public func invalidate(credential: String, token: AccessToken) async {
        state.withLock { s in
            s.invalidations += 1
            if tokens[min(s.index, tokens.count - 1)] == token.value { s.index += 1 }
        }
    }
}
