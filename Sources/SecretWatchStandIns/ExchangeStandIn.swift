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
