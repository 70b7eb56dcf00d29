import FoundationEssentials

/// What `secretwatch send-test` reports about its test mail: the lines it prints, or (`--json`) this object.
/// The server's reply is scrubbed of anything secret-looking before it is kept here.
public struct SendTestResult: Encodable, Sendable {
    public var messageId: String
    public var to: [String]
    /// `sent`, `partial`, `deferred`, `failed`; nil when a running daemon delivers it instead.
    public var outcome: String?
    /// Whether this command handed the mail over itself (false: a running daemon holds the outbox and delivers it).
    public var deliveredHere: Bool
    public var reason: String?
    public var smtpCode: Int?
    public var enhancedCode: String?
    public var reply: String?
    /// What the failure reason means and how to fix it (a known reason that is not a success only).
    public var meaning: String?
    public var fix: String?
    /// Whether the mail stays in the outbox for a running daemon to retry.
    public var stillQueued: Bool

    public init(messageId: String, to: [String], delivery: Delivery?) {
        self.messageId = messageId
        self.to = to
        deliveredHere = delivery != nil
        outcome = delivery?.outcome.rawValue
        reason = delivery?.reason
        smtpCode = delivery?.smtpCode
        enhancedCode = delivery?.enhancedCode
        reply = delivery?.reply.map { VisibleText.escaped(Redactor.scrub($0)) }
        if let delivery, delivery.outcome != .sent, let reason = delivery.reason, let known = SMTPFailureReason.named(reason) {
            meaning = known.message
            fix = known.fix
        }
        stillQueued = delivery == nil || delivery?.outcome == .deferred
    }

    /// The server accepted the mail for at least one recipient.
    public var accepted: Bool { outcome == Delivery.Outcome.sent.rawValue || outcome == Delivery.Outcome.partial.rawValue }

    /// The human-readable report.
    public var lines: [String] {
        var lines = ["queued test mail \(messageId) to \(to.joined(separator: ", "))"]
        guard let outcome else {
            lines.append("a running secretwatch daemon is delivering it; see `secretwatch` deliveries history")
            return lines
        }
        lines.append("outcome: \(outcome)" + (reason.map { " (\($0))" } ?? ""))
        if let smtpCode { lines.append("smtp: \(smtpCode)" + (enhancedCode.map { " \($0)" } ?? "")) }
        if let reply { lines.append("reply: \(reply)") }
        if let meaning, let fix {
            lines.append("what it means: \(meaning)")
            lines.append("fix: \(fix)")
        }
        if outcome == Delivery.Outcome.deferred.rawValue { lines.append("the mail stays queued; a running daemon retries it") }
        return lines
    }

    enum CodingKeys: String, CodingKey {
        case to, outcome, reason, reply, meaning, fix
        case messageId = "message_id", deliveredHere = "delivered_here", smtpCode = "smtp_code"
        case enhancedCode = "enhanced_code", stillQueued = "still_queued"
    }
}
