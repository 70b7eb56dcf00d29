import Foundation

/// Decides whether the Exchange stand-in accepts the bearer token of an `AUTH XOAUTH2`.
public struct ExchangeTokenCheck: Sendable {
    private let check: @Sendable (String) -> Bool

    public init(_ check: @escaping @Sendable (String) -> Bool) { self.check = check }

    public func accepts(_ token: String) -> Bool { check(token) }

    /// Tokens a `TokenStandIn` issued and that have not expired (what Exchange Online does with Entra's tokens).
    public static func issued(by registry: IssuedTokens) -> ExchangeTokenCheck {
        ExchangeTokenCheck { registry.isValid($0) }
    }

    /// Exactly these tokens.
    public static func fixed(_ tokens: Set<String>) -> ExchangeTokenCheck {
        ExchangeTokenCheck { tokens.contains($0) }
    }

    /// Tokens issued by `registry`, or any of `tokens`.
    public static func issued(by registry: IssuedTokens, or tokens: Set<String>) -> ExchangeTokenCheck {
        ExchangeTokenCheck { tokens.contains($0) || registry.isValid($0) }
    }
}
