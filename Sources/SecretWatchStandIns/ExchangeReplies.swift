import Foundation

/// The reply lines of the Exchange stand-in (without CR LF), worded like Exchange Online's, for one host name.
/// Failure replies end in `[host timestamp id]` as Exchange's do.
struct ExchangeReplies: Sendable {
    let host: String

    func greeting(at date: Date = Date()) -> String {
        "220 \(host) Microsoft ESMTP MAIL Service ready at \(Self.rfc5322(date)) (secretwatch stand-in, not Microsoft)"
    }

    /// The EHLO answer: STARTTLS only before TLS (and only when offered), AUTH only after TLS.
    func ehlo(offerStartTLS: Bool, offerAuth: Bool, maxBytes: Int) -> [String] {
        var lines = ["\(host) Hello [127.0.0.1]", "SIZE \(maxBytes)", "PIPELINING", "ENHANCEDSTATUSCODES"]
        if offerStartTLS { lines.append("STARTTLS") }
        if offerAuth { lines.append("AUTH LOGIN XOAUTH2") }
        lines += ["8BITMIME", "SMTPUTF8"]
        return lines.enumerated().map { index, text in (index == lines.count - 1 ? "250 " : "250-") + text }
    }

    let readyForTLS = "220 2.0.0 SMTP server ready"
    let authenticated = "235 2.7.0 Authentication successful"
    let usernamePrompt = "334 VXNlcm5hbWU6"
    let passwordPrompt = "334 UGFzc3dvcmQ6"
    let senderOK = "250 2.1.0 Sender OK"
    let recipientOK = "250 2.1.5 Recipient OK"
    let startInput = "354 Start mail input; end with <CRLF>.<CRLF>"
    let resetting = "250 2.0.0 Resetting"
    let ok = "250 2.0.0 OK"
    let closing = "221 2.0.0 Service closing transmission channel"
    let sendHelloFirst = "503 5.5.2 Send hello first"
    let needMail = "503 5.5.2 Need mail command"
    let needRecipient = "503 5.5.2 Need rcpt command"
    let senderAlreadySpecified = "503 5.5.2 Sender already specified"
    let alreadyAuthenticated = "503 5.5.2 Already authenticated"
    let alreadyTLS = "503 5.5.1 TLS is already active"
    let pipelinedAfterStartTLS = "503 5.5.1 Commands pipelined after STARTTLS are refused"
    let unrecognizedAuth = "504 5.7.4 Unrecognized authentication type"
    let cannotDecode = "501 5.5.2 Cannot Decode response"
    let authCancelled = "501 5.0.0 Authentication cancelled"
    let syntax = "501 5.5.4 Invalid arguments"
    let tooBig = "552 5.3.4 Message size exceeds fixed maximum message size"

    func unrecognized(_ command: String) -> String { "500 5.3.3 Unrecognized command '\(command.prefix(32))'" }

    func tokenRefused() -> String { "535 5.7.3 Authentication unsuccessful \(stamp())" }

    func smtpAuthDisabled() -> String {
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. \(stamp())"
    }

    func basicAuthDisabled() -> String {
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. \(stamp())"
    }

    func notAuthenticated() -> String { "530 5.7.57 Client not authenticated to send mail. \(stamp())" }

    func sendAsDenied() -> String { "550 5.7.60 SMTP; Client does not have permissions to send as this sender \(stamp())" }

    func sendAsDeniedAfterData(mailbox: String, from: String) -> String {
        "554 5.2.252 SendAsDenied; \(mailbox) not allowed to send as \(from); STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. \(stamp())"
    }

    func threadLimit() -> String { "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=\(host)]" }

    func quotaExceeded() -> String {
        "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. \(stamp())"
    }

    func recipientNotFound(_ address: String) -> String {
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient \(address) not found by SMTP address lookup"
    }

    func tlsVersion() -> String {
        "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls. \(stamp())"
    }

    func temporary() -> String { "451 4.7.500 Server busy. Please try again later from [127.0.0.1]. (S77719) \(stamp())" }

    func queued(messageId: String) -> String { "250 2.0.0 OK <\(messageId)> [Hostname=\(host)] Queued mail for delivery" }

    /// `[host 2026-03-03T10:00:00.123Z 08DE5A2C7F1B3D44]`, like Exchange's diagnostic suffix.
    func stamp(at date: Date = Date()) -> String {
        let id = String(format: "%016llX", UInt64.random(in: 0...UInt64.max))
        let milliseconds = Int(date.timeIntervalSince1970 * 1000) % 1000
        return "[\(host) \(Self.utc(date, "%Y-%m-%dT%H:%M:%S")).\(String(format: "%03d", milliseconds))Z \(id)]"
    }

    /// `Tue, 3 Mar 2026 10:00:00 +0000`
    static func rfc5322(_ date: Date) -> String { utc(date, "%a, %-d %b %Y %H:%M:%S +0000") }

    /// `date` in UTC through `strftime` (the C locale: English day and month names).
    static func utc(_ date: Date, _ format: String) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
