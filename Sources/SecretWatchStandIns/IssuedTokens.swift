import Foundation
import Synchronization

/// The access tokens a `TokenStandIn` handed out, with when each expires: the Exchange stand-in accepts exactly
/// these (as Exchange Online accepts tokens Entra issued), so a test or the demo proves the whole
/// token → SMTP AUTH path. Shared between threads; one registry may serve several token stand-ins.
public final class IssuedTokens: Sendable {
    private let tokens = Mutex<[String: Date]>([:])

    public init() {}

    /// Records a token handed out now, valid for `expiresIn` seconds (a token issued again gets the later expiry).
    public func record(_ token: String, expiresIn: Int, at now: Date = Date()) {
        let expiry = now.addingTimeInterval(TimeInterval(expiresIn))
        tokens.withLock { $0[token] = max($0[token] ?? expiry, expiry) }
    }

    /// Whether `token` was issued and has not expired at `date`.
    public func isValid(_ token: String, at date: Date = Date()) -> Bool {
        tokens.withLock { $0[token].map { $0 > date } ?? false }
    }

    /// Distinct tokens issued so far.
    public var count: Int { tokens.withLock { $0.count } }
}
