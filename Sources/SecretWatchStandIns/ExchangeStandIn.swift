import Foundation
import Synchronization

/// A stand-in for Exchange Online's SMTP submission (smtp.office365.com:587) on 127.0.0.1, for tests, the demo
/// and the mail benchmark: STARTTLS (or implicit TLS, or a stripped STARTTLS), AUTH XOAUTH2 only after TLS with
/// tokens a `TokenStandIn` issued, Exchange's replies for every failure (`ExchangeStandInBehaviour`), the
/// 3-sessions-per-mailbox cap, and every accepted message written as an `.eml` file. Its greeting says it is a
/// stand-in, not Microsoft. It can be taken down and brought back on the same port.
public final class ExchangeStandIn: Sendable {
    public let configuration: ExchangeStandInConfiguration
    public let port: Int
    private let state: ExchangeStandInState
    private let drop: MailDrop
    private let tls: TLSServerContext
    private let listener: Mutex<Listener>

    private enum Listener {
        case up(StandInServer)
        /// Down: the port stays bound (nobody else gets it) but does not listen, so connects are refused.
        case down(Int32)
        case stopped
    }

    public init(_ configuration: ExchangeStandInConfiguration) throws {
        self.configuration = configuration
        state = ExchangeStandInState(unknownRecipients: configuration.unknownRecipients,
                                     sessionsPerMailbox: configuration.sessionsPerMailbox)
        state.setAcceptDelay(configuration.acceptDelay)
        drop = try MailDrop(directory: configuration.mailDirectory)
        tls = try TLSServerContext(identity: configuration.identity, minimum: configuration.minimumTLS)
        let server = try Self.listen(port: configuration.port, configuration: configuration, state: state, drop: drop, tls: tls)
        port = server.port
        listener = Mutex(.up(server))
    }

    deinit { stop() }

    public var host: String { "127.0.0.1" }
    /// `smtp://127.0.0.1:PORT` (`smtps://` for implicit TLS).
    public var url: String { "\(configuration.security == .implicitTLS ? "smtps" : "smtp")://127.0.0.1:\(port)" }

    /// The behaviour for every session without a more specific one.
    public func setBehaviour(_ behaviour: ExchangeStandInBehaviour) { state.setFallback(behaviour) }

    /// The behaviour for sessions that authenticate as `mailbox` (nil: back to the default).
    public func setBehaviour(_ behaviour: ExchangeStandInBehaviour?, forMailbox mailbox: String) {
        state.setBehaviour(behaviour, forMailbox: mailbox)
    }

    /// Behaviours for the next sessions (connections), one each, in order.
    public func enqueue(_ behaviours: ExchangeStandInBehaviour...) { state.enqueue(behaviours) }

    /// Recipients answered with `550 5.1.10` from now on (replaces the configured set).
    public func setUnknownRecipients(_ addresses: Set<String>) { state.setUnknownRecipients(addresses) }

    /// The per-mailbox session cap from now on (nil: none).
    public func setSessionsPerMailbox(_ cap: Int?) { state.setSessionsPerMailbox(cap) }

    /// How long the end of DATA waits before the message is queued and answered, from now on (0: none).
    public func setAcceptDelay(_ seconds: TimeInterval) { state.setAcceptDelay(seconds) }

    public var counters: ExchangeStandInCounters { state.counters }
    /// Accepted messages, in order.
    public var messages: [AcceptedMessage] { state.messages }
    /// Authenticated sessions of `mailbox` holding a slot now.
    public func sessions(of mailbox: String) -> Int { state.sessions(of: mailbox) }

    public var isDown: Bool { listener.withLock { if case .down = $0 { true } else { false } } }

    /// Cuts every connection and refuses new ones (the port stays reserved) until `bringUp()`.
    public func takeDown() throws {
        try listener.withLock { listener in
            guard case .up(let server) = listener else { return }
            server.stop()
            listener = .stopped
            listener = .down(try Socket.bound(port: port))
        }
    }

    /// Listens again on the same port, with the same behaviours, counters and mail numbering.
    public func bringUp() throws {
        try listener.withLock { listener in
            guard case .down(let placeholder) = listener else { return }
            close(placeholder)
            listener = .stopped
            listener = .up(try Self.listen(port: port, configuration: configuration, state: state, drop: drop, tls: tls))
        }
    }

    /// Stops for good: every connection cut, every thread ended, the port released. Idempotent.
    public func stop() {
        listener.withLock { listener in
            switch listener {
            case .up(let server): server.stop()
            case .down(let placeholder): close(placeholder)
            case .stopped: break
            }
            listener = .stopped
        }
    }

    private static func listen(port: Int, configuration: ExchangeStandInConfiguration, state: ExchangeStandInState,
                               drop: MailDrop, tls: TLSServerContext) throws -> StandInServer {
        try StandInServer(tls: configuration.security == .implicitTLS ? tls : nil, port: port,
                          readTimeout: configuration.readTimeout) { connection in
            try SMTPSession(connection: connection, configuration: configuration, state: state, drop: drop, tls: tls).run()
        }
    }
}

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

/// The access tokens a `TokenStandIn` handed out, with when each expires: the Exchange stand-in accepts exactly
/// these (as Exchange Online accepts tokens Entra issued), so a test or the demo proves the whole
/// token → SMTP AUTH path. Shared between threads; one registry may serve several token stand-ins.
public final class IssuedTokens: Sendable {
    private struct Issued {
        var expiry: Date
        /// The scopes the token was requested for (`scope` of the token request; empty when not known).
        var scopes: Set<String>
    }

    private let tokens = Mutex<[String: Issued]>([:])

    public init() {}

    /// Records a token handed out now for `scope`, valid for `expiresIn` seconds (a token issued again gets the
    /// later expiry).
    public func record(_ token: String, expiresIn: Int, scope: String? = nil, at now: Date = Date()) {
        let expiry = now.addingTimeInterval(TimeInterval(expiresIn))
        tokens.withLock { all in
            var issued = all[token] ?? Issued(expiry: expiry, scopes: [])
            issued.expiry = max(issued.expiry, expiry)
            if let scope { issued.scopes.insert(scope) }
            all[token] = issued
        }
    }

    /// Whether `token` was issued and has not expired at `date`.
    public func isValid(_ token: String, at date: Date = Date()) -> Bool {
        tokens.withLock { $0[token].map { $0.expiry > date } ?? false }
    }

    /// Whether `token` was issued for `scope` and has not expired at `date` (what Microsoft Graph checks: the
    /// token's audience).
    public func isValid(_ token: String, forScope scope: String, at date: Date = Date()) -> Bool {
        tokens.withLock { $0[token].map { $0.expiry > date && $0.scopes.contains(scope) } ?? false }
    }

    /// Distinct tokens issued so far.
    public var count: Int { tokens.withLock { $0.count } }
}
