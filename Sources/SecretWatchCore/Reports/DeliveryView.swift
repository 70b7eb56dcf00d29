import Foundation

/// A send attempt as `/api/v1/deliveries` and `/api/v1/credentials` show it. The server reply is scrubbed.
struct DeliveryView: Encodable, Sendable {
    var id: Int64
    var messageId: String
    var attemptedAt: Date
    var durationSeconds: Double
    var recipients: [String]
    var outcome: String
    var reason: String?
    var smtpCode: Int?
    var enhancedCode: String?
    var reply: String?

    enum CodingKeys: String, CodingKey {
        case id, recipients, outcome, reason, reply
        case messageId = "message_id"
        case attemptedAt = "attempted_at"
        case durationSeconds = "duration_seconds"
        case smtpCode = "smtp_code"
        case enhancedCode = "enhanced_code"
    }

    init(_ d: Delivery) {
        id = d.id ?? 0
        messageId = d.messageId
        attemptedAt = d.attemptedAt
        durationSeconds = d.duration
        recipients = d.recipients
        outcome = d.outcome.rawValue
        reason = d.reason
        smtpCode = d.smtpCode
        enhancedCode = d.enhancedCode
        reply = d.reply.map(Redactor.scrub)
    }
}
