/// One row of the table that names a negative SMTP reply: a rule matches on the reply code, the enhanced status
/// code and the text together (never the enhanced code alone: `421 4.3.2 Service not available` and
/// `432 4.3.2 … concurrent connections limit exceeded` share one), and on the command it answered.
struct SMTPReplyRule: Sendable {
    var reason: SMTPFailureReason
    /// Reply codes that match (nil: any).
    var codes: Set<Int>? = nil
    /// Enhanced codes that match (nil: any).
    var enhanced: Set<String>? = nil
    /// An enhanced code class and the range of its last part (`4.7.` and 500…699).
    var enhancedRange: (prefix: String, range: ClosedRange<Int>)? = nil
    /// Lower-case fragments of which the text must contain one (nil: any text).
    var text: [String]? = nil
    /// The command the reply answered (`AUTH`, `RCPT`, …; nil: any).
    var verb: String? = nil
    /// Matches 5xx only.
    var permanentOnly = false

    func matches(_ reply: SMTPReply, lowercased text: String, at verb: String) -> Bool {
        if let codes, !codes.contains(reply.code) { return false }
        if permanentOnly, reply.code < 500 { return false }
        if let wanted = self.verb, wanted != verb { return false }
        if let enhanced, !enhanced.contains(reply.enhancedCode ?? "") { return false }
        if let (prefix, range) = enhancedRange {
            guard let code = reply.enhancedCode, code.hasPrefix(prefix), let last = Int(code.dropFirst(prefix.count)),
                  range.contains(last) else { return false }
        }
        if let fragments = self.text, !fragments.contains(where: text.contains) { return false }
        return true
    }

    /// In order: the first rule that matches names the reply (Exchange Online's documented refusals); a reply
    /// no rule matches is `smtp_permanent` (5xx) or `smtp_transient` (4xx).
    static let table: [SMTPReplyRule] = [
        .init(reason: .smtpAuthDisabled, enhanced: ["5.7.139"]),
        .init(reason: .smtpAuthDisabled, text: ["smtpclientauthentication is disabled"]),
        .init(reason: .smtpAuthRejected, codes: [535]),
        .init(reason: .smtpAuthRejected, verb: "AUTH", permanentOnly: true),
        .init(reason: .sendAsDenied, enhanced: ["5.7.60", "5.2.252"]),
        .init(reason: .sendAsDenied, text: ["sendasdenied"]),
        .init(reason: .notAuthenticated, codes: [530]),
        .init(reason: .notAuthenticated, enhanced: ["5.7.57"]),
        // Exchange's limit of 3 sessions per mailbox: 432 4.3.2 with "thread limit" or "concurrent connections".
        .init(reason: .concurrencyLimit, codes: [432]),
        .init(reason: .concurrencyLimit, enhanced: ["4.3.2"], text: ["thread limit", "concurrent connections"]),
        .init(reason: .quotaExceeded, enhanced: ["5.1.90"]),
        .init(reason: .quotaExceeded, text: ["quotaexceeded"]),
        .init(reason: .senderThrottled, enhanced: ["5.2.251", "5.2.253", "5.2.254", "5.2.255"]),
        .init(reason: .tenantBlocked, enhanced: ["5.7.705", "5.7.708"]),
        .init(reason: .tenantBlocked, enhancedRange: ("4.7.", 500...699)),
        .init(reason: .tlsVersion, enhanced: ["4.7.66", "5.7.67"]),
        .init(reason: .recipientRejected, verb: "RCPT", permanentOnly: true),
    ]
}
