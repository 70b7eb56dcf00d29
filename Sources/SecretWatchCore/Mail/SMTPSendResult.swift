import Foundation

/// What one SMTP session did with one message: which recipients the server took, which it refused, and the
/// classified failure when the message did not go out.
public struct SMTPSendResult: Sendable, Equatable {
    public struct RecipientResult: Sendable, Equatable {
        /// What this attempt settled for one recipient.
        public enum State: String, Sendable {
            /// The server took the message for this recipient: its RCPT TO was answered 2xx and the message was
            /// accepted at the end of DATA. A 250 to RCPT TO alone is not acceptance.
            case accepted
            /// The server refused this recipient for good (5xx to RCPT TO, or the whole message refused for good).
            case refused
            /// Nothing settled: a 4xx to RCPT TO, or the message was not accepted. The recipient goes into the
            /// envelope of the next attempt.
            case pending
        }

        public var address: String
        public var state: State
        /// The reply that settled the state (the RCPT TO reply; the end-of-DATA verdict when that decided).
        public var reply: SMTPReply?

        public var accepted: Bool { state == .accepted }
    }

    /// Per recipient, in envelope order (empty when the session failed before RCPT TO).
    public var recipients: [RecipientResult]
    /// Nil when the server accepted the message (for at least one recipient).
    public var failure: OperatorError?
    /// The reply that decided the outcome (the failing one, or the final `250` after DATA).
    public var reply: SMTPReply?
    /// The server answered 535 to AUTH (the token may be stale: worth one retry with a fresh token).
    public var authenticationRefused: Bool
    /// Seconds the transfer took.
    public var duration: TimeInterval
    /// Whether the server accepted the message for at least one recipient.
    public var delivered: Bool { failure == nil }

    public var refused: [RecipientResult] { recipients.filter { $0.state == .refused } }
    public var accepted: [String] { recipients.filter(\.accepted).map(\.address) }

    /// The reply text for the history: the deciding reply and every refused recipient's reply.
    public var replyText: String? {
        var lines: [String] = []
        if let reply { lines.append(reply.line) }
        for r in refused { lines.append("refused <\(r.address)>: \(r.reply?.line ?? "no reply")") }
        return lines.isEmpty ? nil : Redactor.scrub(lines.joined(separator: "\n"))
    }
}
