/// How the Exchange stand-in answers, beyond its normal protocol checks. Each failure gives Exchange Online's
/// reply at the step where Exchange gives it. The raw values are the names the control interface and the
/// `secretwatch-standins` flags use.
public enum ExchangeStandInBehaviour: String, Sendable, CaseIterable {
    /// Exchange as configured: allowed mailboxes, accepted tokens, the per-mailbox session cap.
    case normal
    /// `535 5.7.3 Authentication unsuccessful [...]` for every AUTH (the token is refused).
    case tokenRefused = "token_refused"
    /// `535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. ...`
    case smtpAuthDisabled = "smtp_auth_disabled"
    /// `550 5.7.60 SMTP; Client does not have permissions to send as this sender` at MAIL FROM.
    case sendAsDenied = "send_as_denied"
    /// `554 5.2.252 SendAsDenied; ...` after the message was sent (end of DATA).
    case sendAsDeniedAfterData = "send_as_denied_after_data"
    /// `432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded` at MAIL FROM (also given for real to a
    /// mailbox's session beyond the configured cap).
    case concurrencyLimit = "concurrency_limit"
    /// `554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; ...` after DATA.
    case quotaExceeded = "quota_exceeded"
    /// `421 4.7.66 TLS 1.0 and 1.1 are not supported. ...` to the first command after the TLS handshake, then
    /// the connection closes.
    case tlsVersion = "tls_version"
    /// `451 4.7.500 Server busy. Please try again later ...` at MAIL FROM (temporary).
    case temporaryFailure = "temporary_failure"
}
