/// What the Exchange stand-in has seen so far (a snapshot).
public struct ExchangeStandInCounters: Sendable, Equatable, Codable {
    /// Connections whose SMTP conversation started (after the TLS handshake for implicit TLS).
    public var connections = 0
    public var authSuccesses = 0
    public var authFailures = 0
    public var messagesAccepted = 0
    /// Conversations going on now.
    public var activeSessions = 0
    /// Failure replies sent, by code and enhanced code: `"535 5.7.3": 2`.
    public var failureReplies: [String: Int] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case connections
        case authSuccesses = "auth_successes"
        case authFailures = "auth_failures"
        case messagesAccepted = "messages_accepted"
        case activeSessions = "active_sessions"
        case failureReplies = "failure_replies"
    }
}
