import FoundationEssentials

public import SecretWatchCurl

/// Turns a libcurl SMTP transfer (curl code, error text, traced dialogue) into an `SMTPSendResult` with a
/// reason from `SMTPFailureReason.allCases`. Pure: tested on recorded dialogues as well as against the real server.
public enum SMTPClassifier {
    public static func classify(_ response: CurlResponse, recipients: [String], proxyConfigured: Bool) -> SMTPSendResult {
        let exchange = SMTPExchange(trace: response.trace)
        var results: [SMTPSendResult.RecipientResult] = exchange.recipientSteps.map { step in
            let reply = step.finalReply
            let state: SMTPSendResult.RecipientResult.State =
                reply.map { $0.isPositive ? .accepted : ($0.code >= 500 ? .refused : .pending) } ?? .pending
            return .init(address: step.argument, state: state, reply: reply)
        }
        var result = SMTPSendResult(recipients: results, failure: nil, reply: nil, authenticationRefused: false,
                                    duration: response.totalTime)
        let endOfData = exchange.step("END-OF-DATA")?.finalReply
        let anyRecipientTaken = results.contains(where: \.accepted)
        if response.code == .ok, endOfData?.isPositive ?? true, anyRecipientTaken {
            result.reply = endOfData
            return result
        }
        // The message was not accepted: a 250 to RCPT TO promised nothing, so those recipients stay pending and go
        // into the next attempt's envelope.
        for i in results.indices where results[i].state == .accepted {
            results[i].state = .pending
            if let endOfData { results[i].reply = endOfData }
        }
        result.recipients = results
        if let auth = exchange.step("AUTH"), let refusal = authRefusal(auth, response: response) {
            result.reply = auth.finalReply
            result.authenticationRefused = refusal.reason == SMTPFailureReason.smtpAuthRejected.rawValue
            result.failure = refusal
            return result
        }
        if response.code == .loginDenied {
            // libcurl refuses to authenticate when the server offers no mechanism it was told to use.
            let offer = exchange.steps.last { $0.verb == "EHLO" }?.replies.first { $0.line.dropFirst(4).uppercased().hasPrefix("AUTH") }
            result.failure = SMTPFailureReason.authMechanismUnavailable
                .failure(detail: offer.map { "the server offers: \($0.line.dropFirst(4))" } ?? "the server offers no AUTH mechanism")
            return result
        }
        if let failed = exchange.firstFailure, let reply = failed.finalReply {
            result.reply = reply
            result.failure = reason(for: reply, at: failed.verb).failure(detail: reply.line)
            return result
        }
        if !results.isEmpty, !anyRecipientTaken {
            // Every recipient refused: the worst reply decides (a 4xx one can still be retried).
            let replies = results.compactMap(\.reply)
            let permanent = replies.first { $0.code >= 500 }
            let deciding = permanent ?? replies.first
            result.reply = deciding
            let reason: SMTPFailureReason = permanent != nil ? .recipientRejected : .smtpTransient
            result.failure = reason.failure(detail: results.map { "<\($0.address)>: \($0.reply?.line ?? "no reply")" }.joined(separator: "; "))
            return result
        }
        let reason = curlReason(response, answered: !exchange.steps.isEmpty, proxyConfigured: proxyConfigured)
        let detail = [response.codeText, response.errorText].filter { !$0.isEmpty }.joined(separator: ": ")
        result.failure = reason.failure(detail: "\(detail) (curl error \(response.code.rawValue))")
        return result
    }

    /// The failure an AUTH step ended in, or nil when it succeeded. A 535 (or any 5xx), an RFC 7628 error challenge
    /// (`334 <base64 JSON>`, after which libcurl's XOAUTH2 gives up) and a login libcurl gave up on are all the token
    /// being refused — `smtp_auth_rejected`, worth one retry with a fresh token — except Exchange's "SMTP AUTH
    /// disabled". The challenge's JSON (status, schemes, scope) goes into the detail.
    static func authRefusal(_ auth: SMTPExchange.Step, response: CurlResponse) -> OperatorError? {
        let final = auth.finalReply
        if let final, final.isPositive, final.code != 334 { return nil }
        let challenge = auth.replies.compactMap(XOAUTH2Challenge.init).last
        guard (final?.code ?? 0) >= 400 || challenge != nil || response.code == .loginDenied else { return nil }
        let reason = final.flatMap { $0.code >= 400 ? self.reason(for: $0, at: "AUTH") : nil } ?? .smtpAuthRejected
        var detail: [String] = []
        if let challenge { detail.append(challenge.description) }
        if let final, final.code != 334 { detail.append(final.line) }
        if detail.isEmpty { detail.append("the server did not accept AUTH XOAUTH2 (curl error \(response.code.rawValue))") }
        return reason.failure(detail: detail.joined(separator: "; "))
    }

    /// The reason for a negative reply: the first rule of `SMTPReplyRule.table` that matches its code, enhanced
    /// code and text at that command; otherwise by class.
    static func reason(for reply: SMTPReply, at verb: String) -> SMTPFailureReason {
        let text = reply.line.lowercased()
        if let rule = SMTPReplyRule.table.first(where: { $0.matches(reply, lowercased: text, at: verb) }) {
            return rule.reason
        }
        return reply.code >= 500 ? .smtpPermanent : .smtpTransient
    }

    /// The reason for a transfer that failed below SMTP (name resolution, TCP, proxy, TLS).
    static func curlReason(_ response: CurlResponse, answered: Bool, proxyConfigured: Bool) -> SMTPFailureReason {
        switch response.code {
        case .operationTimedOut where answered: return .smtpTimeout
        case .useSSLFailed: return .starttlsUnavailable
        default: break
        }
        if let network = NetworkFailure.classify(response, viaProxy: proxyConfigured) { return SMTPFailureReason(network) }
        switch response.code {
        // Connected, but no greeting: a server that waits for a TLS handshake first (implicit TLS, 465).
        case .operationTimedOut: return .smtpNoGreeting
        case .recvError, .sendError, .gotNothing: return .smtpTransient
        default: return answered ? .smtpTransient : .connectRefused
        }
    }
}

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
