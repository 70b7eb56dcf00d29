import Foundation

/// Turns a libcurl SMTP transfer (curl code, error text, traced dialogue) into an `SMTPSendResult` with a
/// reason from `SMTPReason.all`. Pure: tested on recorded dialogues as well as against the real server.
public enum SMTPClassifier {
    public static func classify(_ response: CurlResponse, recipients: [String], proxyConfigured: Bool) -> SMTPSendResult {
        let exchange = SMTPExchange(trace: response.trace)
        var results: [SMTPSendResult.RecipientResult] = []
        for step in exchange.recipientSteps {
            results.append(.init(address: step.argument, accepted: step.finalReply?.isPositive ?? false, reply: step.finalReply))
        }
        var result = SMTPSendResult(recipients: results, failure: nil, reply: nil, authenticationRefused: false,
                                    duration: response.totalTime)
        let endOfData = exchange.step("END-OF-DATA")?.finalReply
        if response.code == .ok, endOfData?.isPositive ?? true, !results.isEmpty, results.contains(where: \.accepted) {
            result.reply = endOfData
            return result
        }
        if let failed = exchange.firstFailure, let reply = failed.finalReply {
            result.reply = reply
            result.authenticationRefused = failed.verb == "AUTH" && reply.code == 535
            result.failure = reason(for: reply, at: failed.verb).error(detail: reply.line)
            return result
        }
        if !results.isEmpty, !results.contains(where: \.accepted) {
            // Every recipient refused: the worst reply decides (a 4xx one can still be retried).
            let replies = results.compactMap(\.reply)
            let permanent = replies.first { $0.code >= 500 }
            let deciding = permanent ?? replies.first
            result.reply = deciding
            let reason = permanent != nil ? SMTPReason.find("recipient_rejected") : SMTPReason.find("smtp_transient")
            result.failure = reason.error(detail: results.map { "<\($0.address)>: \($0.reply?.line ?? "no reply")" }.joined(separator: "; "))
            return result
        }
        let reason = curlReason(response, answered: !exchange.steps.isEmpty, proxyConfigured: proxyConfigured)
        let detail = [response.codeText, response.errorText].filter { !$0.isEmpty }.joined(separator: ": ")
        result.failure = reason.error(detail: "\(detail) (curl error \(response.code.rawValue))")
        return result
    }

    /// The reason for a negative reply, by enhanced code first, then by where it came.
    static func reason(for reply: SMTPReply, at verb: String) -> SMTPReason {
        let enhanced = reply.enhancedCode ?? ""
        let text = reply.line.lowercased()
        let find = SMTPReason.find
        if enhanced == "5.7.139" || text.contains("smtpclientauthentication is disabled") { return find("smtp_auth_disabled") }
        if reply.code == 535 { return find("smtp_auth_rejected") }
        if enhanced == "5.7.60" || enhanced == "5.2.252" || text.contains("sendasdenied") { return find("send_as_denied") }
        if reply.code == 530 || enhanced == "5.7.57" { return find("not_authenticated") }
        if enhanced == "4.3.2" || reply.code == 432 { return find("concurrency_limit") }
        if enhanced == "5.1.90" || text.contains("quotaexceeded") { return find("quota_exceeded") }
        if ["5.2.251", "5.2.253", "5.2.254", "5.2.255"].contains(enhanced) { return find("sender_throttled") }
        if enhanced == "5.7.705" || enhanced == "5.7.708" { return find("tenant_blocked") }
        if enhanced.hasPrefix("4.7."), let detail = Int(enhanced.dropFirst(4)), (500...699).contains(detail) {
            return find("tenant_blocked")
        }
        if enhanced == "4.7.66" || enhanced == "5.7.67" { return find("tls_version") }
        if verb == "RCPT" && reply.code >= 500 { return find("recipient_rejected") }
        return find(reply.code >= 500 ? "smtp_permanent" : "smtp_transient")
    }

    /// The reason for a transfer that failed below SMTP (name resolution, TCP, proxy, TLS).
    static func curlReason(_ response: CurlResponse, answered: Bool, proxyConfigured: Bool) -> SMTPReason {
        let text = (response.errorText + " " + response.codeText).lowercased()
        let find = SMTPReason.find
        switch response.code {
        case .couldntResolveHost: return find("dns_failure")
        case .couldntResolveProxy, .proxy: return find("proxy_error")
        case .couldntConnect: return proxyConfigured ? find("proxy_error") : find("connect_refused")
        case .operationTimedOut: return answered ? find("smtp_timeout") : find("connect_timeout")
        case .useSSLFailed: return find("starttls_unavailable")
        case .sslCACertBadFile: return find("tls_ca_file")
        case .peerFailedVerification, .sslCertProblem, .sslIssuerError:
            if text.contains("subject name") || text.contains("does not match") || text.contains("hostname") {
                return find("tls_hostname_mismatch")
            }
            return find("tls_untrusted")
        case .sslConnectError, .sslCipher:
            return text.contains("version") || text.contains("protocol") ? find("tls_version") : find("tls_handshake")
        case .recvError, .sendError, .gotNothing:
            if proxyConfigured && (text.contains("proxy") || text.contains("connect")) { return find("proxy_error") }
            return find("smtp_transient")
        default:
            return find(answered ? "smtp_transient" : "connect_refused")
        }
    }
}
