import Foundation

/// An OAuth access token. Lives in memory only: never in SQLite, logs, metrics or API answers; its
/// descriptions print no value.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public let obtainedAt: Date
    public let expiresAt: Date

    public init(value: String, obtainedAt: Date, expiresAt: Date) {
        self.value = value
        self.obtainedAt = obtainedAt
        self.expiresAt = expiresAt
        Redactor.shared.registerEphemeral(value)
    }

    public var lifetime: TimeInterval { expiresAt.timeIntervalSince(obtainedAt) }
    public var description: String { "AccessToken(expires \(Timestamps.rfc3339(expiresAt)))" }
    public var debugDescription: String { description }
}

/// Hands out valid tokens for a credential (by name), and forgets one that a server refused.
/// The production implementation caches per (credential, scope) and shares in-flight requests.
public protocol TokenProvider: Sendable {
    func token(for credential: String) async throws -> AccessToken
    func invalidate(credential: String, token: AccessToken) async
}
