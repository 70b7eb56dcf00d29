import Foundation

/// An Entra application credential whose client secret secretwatch watches.
public struct Credential: Sendable, Equatable, Codable {
    /// Short unique name, used as the metric label and in alarm e-mails.
    public var name: String
    public var displayName: String?
    public var tenantId: String
    public var clientId: String
    /// The mailbox it sends as (only for the SMTP credential).
    public var mailbox: String?
    /// When the client secret expires.
    public var expiresAt: Date?
    /// Whether secretwatch holds the secret (and so can probe the token endpoint with it).
    public var hasSecret: Bool

    public init(name: String, displayName: String?, tenantId: String, clientId: String, mailbox: String?,
                expiresAt: Date?, hasSecret: Bool) {
        self.name = name
        self.displayName = displayName
        self.tenantId = tenantId
        self.clientId = clientId
        self.mailbox = mailbox
        self.expiresAt = expiresAt
        self.hasSecret = hasSecret
    }

    /// The name shown to people: the display name when set, the name otherwise.
    public var label: String { displayName ?? name }
}
