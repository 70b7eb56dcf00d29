import Foundation

/// How an `ExchangeStandIn` is set up. Only `identity` and `tokens` have no default.
public struct ExchangeStandInConfiguration: Sendable {
    /// How the connection gets encrypted.
    public enum Security: String, Sendable, CaseIterable {
        /// Plaintext greeting, `STARTTLS` offered, AUTH only after it (smtp.office365.com:587).
        case startTLS = "starttls"
        /// TLS from the first byte (smtps, port 465 style).
        case implicitTLS = "implicit"
        /// A middlebox that strips STARTTLS: neither STARTTLS nor AUTH is ever offered, nothing can be sent.
        case noStartTLS = "none"
    }

    /// The server certificate (for 127.0.0.1 / localhost, from a `ThrowawayPKI`).
    public var identity: ThrowawayPKI.Identity
    /// Which bearer tokens AUTH XOAUTH2 accepts.
    public var tokens: ExchangeTokenCheck
    public var security: Security = .startTLS
    /// The name in the greeting, the EHLO answer and the `[host timestamp id]` of failure replies.
    public var hostName = "exchange-standin.secretwatch.invalid"
    /// Mailboxes that may authenticate (compared case-insensitively); empty: any mailbox.
    public var mailboxes: Set<String> = []
    /// Where accepted messages are written as `.eml` files; nil: kept in memory only (`messages`).
    public var mailDirectory: String?
    /// Authenticated sessions per mailbox at once (Exchange Online: 3); a further one gets `432 4.3.2`.
    /// nil: no cap (the mail-throughput benchmark).
    public var sessionsPerMailbox: Int? = 3
    /// Recipients answered with `550 5.1.10` at RCPT TO (others are accepted); compared case-insensitively.
    public var unknownRecipients: Set<String> = []
    /// The wait at the end of DATA before the message is queued and answered (Exchange Online takes a few hundred
    /// milliseconds). A message whose sender is gone by then is still queued, as at Exchange.
    public var acceptDelay: TimeInterval = 0
    /// The `SIZE` advertised and enforced (Exchange Online: 35 MB).
    public var maxMessageBytes = 37_748_736
    /// A fixed port on 127.0.0.1; 0: one the kernel picks.
    public var port = 0
    /// A client silent this long is disconnected.
    public var readTimeout: TimeInterval = 60
    /// The oldest TLS version the handshake accepts.
    public var minimumTLS: TLSVersion? = .tls12

    public init(identity: ThrowawayPKI.Identity, tokens: ExchangeTokenCheck) {
        self.identity = identity
        self.tokens = tokens
    }
}
