import Foundation

/// One attempt to hand a message to the SMTP server, as recorded in `deliveries`.
public struct Delivery: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// The server accepted the message for every recipient.
        case sent
        /// Accepted for some recipients, refused for others.
        case partial
        /// Failed; will be retried.
        case deferred
        /// Failed for good; not retried.
        case failed
    }

    public var id: Int64?
    public var messageId: String
    public var attemptedAt: Date
    public var duration: TimeInterval
    public var recipients: [String]
    public var outcome: Outcome
    public var reason: String?
    public var smtpCode: Int?
    /// Enhanced status code such as `5.7.3`.
    public var enhancedCode: String?
    /// The server's reply text (scrubbed).
    public var reply: String?

    public init(id: Int64? = nil, messageId: String, attemptedAt: Date, duration: TimeInterval, recipients: [String],
                outcome: Outcome, reason: String? = nil, smtpCode: Int? = nil, enhancedCode: String? = nil, reply: String? = nil) {
        self.id = id
        self.messageId = messageId
        self.attemptedAt = attemptedAt
        self.duration = duration
        self.recipients = recipients
        self.outcome = outcome
        self.reason = reason
        self.smtpCode = smtpCode
        self.enhancedCode = enhancedCode
        self.reply = reply
    }
}
