import FoundationEssentials

/// Every classified SMTP failure, in one table (docs/troubleshooting.md, "SMTP delivery"): the stable
/// reason (a metric label, listed in docs/troubleshooting.md), what the operator reads, the fix, and what the
/// outbox does about it. The token path's catalog is `TokenFailureReason`; both are `FailureReason`s.
public enum SMTPFailureReason: String, FailureReason {
    // Below the protocol: the same names in every catalog, classified once by `NetworkFailure`.
    case dnsFailure = "dns_failure", connectTimeout = "connect_timeout", connectRefused = "connect_refused"
    case proxyError = "proxy_error"
    case tlsUntrusted = "tls_untrusted", tlsHostnameMismatch = "tls_hostname_mismatch", tlsCAFile = "tls_ca_file"
    case tlsVersion = "tls_version", tlsHandshake = "tls_handshake"
    case tlsCertificateExpired = "tls_certificate_expired"
    case smtpNoGreeting = "smtp_no_greeting"
    case starttlsUnavailable = "starttls_unavailable"
    case smtpAuthDisabled = "smtp_auth_disabled"
    case smtpAuthRejected = "smtp_auth_rejected"
    case sendAsDenied = "send_as_denied"
    case authMechanismUnavailable = "auth_mechanism_unavailable"
    case notAuthenticated = "not_authenticated"
    case concurrencyLimit = "concurrency_limit"
    case quotaExceeded = "quota_exceeded"
    case senderThrottled = "sender_throttled"
    case tenantBlocked = "tenant_blocked"
    case recipientRejected = "recipient_rejected"
    case smtpTimeout = "smtp_timeout"
    case smtpTransient = "smtp_transient"
    case smtpPermanent = "smtp_permanent"
    case tokenUnavailable = "token_unavailable"
    case noRecipients = "no_recipients"
    case messageExpired = "message_expired"

    /// What the outbox does with a message after this failure.
    public enum Disposition: String, Sendable {
        /// Retried with exponential backoff; no alarm unless the outbox ages.
        case transient
        /// The mail path is broken (configuration, permissions, Exchange policy): the message stays queued and is
        /// retried at the longest backoff interval, and `mail_delivery_failing` is raised at once.
        case blocking
        /// This message can never be delivered: it stops retrying (state `failed`) and the alarm is raised.
        case permanent
    }

    /// Where it comes from (curl code, SMTP reply), for the documentation.
    public var signature: String { row.signature }
    public var message: String { row.message }
    public var fix: String { row.fix }
    public var disposition: Disposition { row.disposition }
    public var transient: Bool { disposition == .transient }

    private typealias Row = (signature: String, message: String, fix: String, disposition: Disposition)

    private var row: Row {
        switch self {
        case .dnsFailure:
            (signature: "curl 6 (could not resolve host), or curl 28 while resolving",
                message: "cannot resolve the SMTP host name",
                fix: "check smtp.host and the DNS resolver of this machine",
                disposition: .transient)
        case .connectTimeout:
            (signature: "curl 28 before the server greeted",
                message: "no answer from the SMTP host:port within smtp.connect_timeout",
                fix: "a firewall drops the traffic or a proxy is needed: open port 587 to smtp.office365.com or set smtp.proxy",
                disposition: .transient)
        case .connectRefused:
            (signature: "curl 7 (connection refused)",
                message: "the SMTP host:port refused the connection",
                fix: "check smtp.host and smtp.port (587 for starttls, 465 for implicit), or set smtp.proxy",
                disposition: .transient)
        case .proxyError:
            (signature: "curl 5 or 97; curl 7, 28 or 56 with smtp.proxy set (proxy unreachable or CONNECT refused, e.g. 407)",
                message: "the proxy refused the CONNECT tunnel to the SMTP host or cannot be reached",
                fix: "check smtp.proxy (URL, port, credentials) and that the proxy allows CONNECT to port 587",
                disposition: .blocking)
        case .tlsUntrusted:
            (signature: "curl 60 or 83 (unable to get local issuer certificate)",
                message: "the SMTP server's certificate is not trusted here (TLS-inspecting proxy or stale CA bundle)",
                fix: "add the issuing CA to the system trust store or set smtp.ca_file; never disable verification",
                disposition: .blocking)
        case .tlsCertificateExpired:
            (signature: "curl 60 (certificate has expired: the server's, an intermediate, or the issuing CA's notAfter has passed)",
                message: "a certificate in the chain the SMTP server presented (the server's, or an intercepting proxy's) has expired",
                fix: "renew the server's certificate, or fix the TLS-inspecting proxy (its certificate or the CA in smtp.ca_file); check this machine's clock; never disable verification",
                disposition: .blocking)
        case .tlsHostnameMismatch:
            (signature: "curl 60 (no alternative certificate subject name matches)",
                message: "the SMTP server's certificate is for another host name",
                fix: "use the host name the certificate names (smtp.office365.com) or check for an intercepting proxy",
                disposition: .blocking)
        case .tlsCAFile:
            (signature: "curl 77 (CA file missing or unreadable)",
                message: "the configured CA file cannot be read",
                fix: "check smtp.ca_file: the path exists, is readable by secretwatch and holds PEM certificates",
                disposition: .blocking)
        case .tlsHandshake:
            (signature: "curl 35 (TLS handshake failed, e.g. OpenSSL's \"wrong version number\" when smtp.tls is implicit on a STARTTLS port); curl 58, 59, 80, 82",
                message: "the TLS handshake with the SMTP server failed",
                fix: "smtp.tls must match the port: starttls on 587, implicit on 465; if it does, look for a middlebox that interferes with TLS",
                disposition: .blocking)
        case .tlsVersion:
            (signature: "421 4.7.66 / 5.7.67; curl 35 with a protocol-version alert",
                message: "the server requires TLS 1.2 or newer",
                fix: "update OpenSSL/libcurl on this machine so that TLS 1.2+ is negotiated",
                disposition: .blocking)
        case .smtpNoGreeting:
            (signature: "curl 28: connected, but no greeting within smtp.connect_timeout",
                message: "the SMTP server accepted the connection but never greeted",
                fix: "smtp.tls must match the port: a port that expects TLS from the first byte (465) needs smtp.tls: implicit; otherwise the server or a middlebox is stuck",
                disposition: .transient)
        case .starttlsUnavailable:
            (signature: "curl 64 (STARTTLS not offered)",
                message: "the SMTP server did not offer encryption (STARTTLS), so secretwatch did not authenticate",
                fix: "check smtp.host and smtp.port, or look for a middlebox that strips STARTTLS; secretwatch never sends the token in plaintext",
                disposition: .blocking)
        case .smtpAuthDisabled:
            (signature: "535 5.7.139 … SmtpClientAuthentication is disabled",
                message: "SMTP AUTH is switched off for the tenant or the mailbox",
                fix: "enable it: Set-TransportConfig -SmtpClientAuthenticationDisabled $false, or Set-CASMailbox <mailbox> -SmtpClientAuthenticationDisabled $false",
                disposition: .blocking)
        case .smtpAuthRejected:
            (signature: "535 5.7.3 (or another 5xx to AUTH), or an XOAUTH2 error challenge `334 <base64 JSON>`, after a token was issued — also after one retry with a fresh token",
                message: "Exchange refused the OAuth token for this mailbox",
                fix: "grant Office 365 Exchange Online → SMTP.SendAsApp with admin consent; run New-ServicePrincipal with the Enterprise application's object id; Add-MailboxPermission <mailbox> -User <service principal> -AccessRights FullAccess; check that smtp.auth.mailbox is that mailbox",
                disposition: .blocking)
        case .sendAsDenied:
            (signature: "550 5.7.60 at MAIL FROM; 554 5.2.252 SendAsDenied after DATA",
                message: "this app may not send as the From address",
                fix: "set notifications.from to the mailbox itself, or grant Add-RecipientPermission <from> -AccessRights SendAs -Trustee <service principal>",
                disposition: .blocking)
        case .authMechanismUnavailable:
            (signature: "curl 67 before AUTH: the server's EHLO offers AUTH without XOAUTH2",
                message: "the SMTP server does not offer AUTH XOAUTH2, so the OAuth token cannot be used",
                fix: "check smtp.host and smtp.port (smtp.office365.com, 587); Exchange offers XOAUTH2 only after STARTTLS and only while SMTP AUTH is enabled for the mailbox",
                disposition: .blocking)
        case .notAuthenticated:
            (signature: "530 5.7.57",
                message: "the server refused the mail because the session is not authenticated",
                fix: "SMTP AUTH did not succeed before MAIL FROM: check smtp.auth and the server's AUTH offer (secretwatch always authenticates with XOAUTH2)",
                disposition: .blocking)
        case .concurrencyLimit:
            (signature: "432 4.3.2 … thread limit exceeded / concurrent connections limit exceeded (a 421 4.3.2 is smtp_transient)",
                message: "more than 3 parallel SMTP sessions for this mailbox",
                fix: "lower mailer.concurrency to 3 or less, and check that no other system sends as this mailbox at the same time",
                disposition: .transient)
        case .quotaExceeded:
            (signature: "554 5.2.0 …SubmissionQuotaExceeded; 5.1.90",
                message: "the mailbox reached its daily recipient quota (10,000 recipients a day)",
                fix: "sending pauses for up to 24 hours; queued mail goes out once Exchange lifts the limit",
                disposition: .blocking)
        case .senderThrottled:
            (signature: "550 5.2.251, 5.2.253–5.2.255",
                message: "Exchange paused this mailbox after repeated errors",
                fix: "fix the cause of the earlier failures, then wait for Exchange to lift the block",
                disposition: .blocking)
        case .tenantBlocked:
            (signature: "550 5.7.705 / 5.7.708; 451 4.7.500–4.7.699",
                message: "Exchange blocked the tenant or this IP address (temporarily for 4.7.5xx)",
                fix: "check the Microsoft 365 admin center (Message center, restricted entities); open a case if the tenant is blocked",
                disposition: .blocking)
        case .recipientRejected:
            (signature: "5xx at RCPT TO (e.g. 550 5.1.1)",
                message: "the server refused a recipient; the other recipients still get the mail",
                fix: "check the address in notifications.to",
                disposition: .permanent)
        case .smtpTimeout:
            (signature: "curl 28 after the server greeted",
                message: "the SMTP server stopped answering in the middle of the session",
                fix: "retried automatically; if it persists, check the network path and smtp.timeout",
                disposition: .transient)
        case .smtpTransient:
            (signature: "any other 4xx reply (e.g. 421 4.3.2 Service not available, 451 4.4.0 after DATA); connection lost (curl 55, 56)",
                message: "the SMTP server reported a temporary failure",
                fix: "retried automatically; the full server reply is in the delivery history",
                disposition: .transient)
        case .smtpPermanent:
            (signature: "any other 5xx reply",
                message: "the SMTP server refused the message for good",
                fix: "read the server reply in the delivery history (secretwatch deliveries) and fix its cause",
                disposition: .permanent)
        case .tokenUnavailable:
            (signature: "the token provider failed without a classified reason",
                message: "no OAuth token could be obtained for SMTP AUTH",
                fix: "see the token_acquisition_failing alarm and the token attempts history",
                disposition: .transient)
        case .noRecipients:
            (signature: "a message with no recipient left to send to (never sent: libcurl would send HELP/VRFY instead)",
                message: "the message has no recipient left, so nothing was sent",
                fix: "none needed for this message; if it recurs, report it with the outbox row (secretwatch deliveries)",
                disposition: .permanent)
        case .messageExpired:
            (signature: "a queued message older than mailer.give_up_after",
                message: "the message could not be delivered before mailer.give_up_after and was given up",
                fix: "fix the delivery failure shown by the last attempts; later alarms are mailed again",
                disposition: .permanent)
        }
    }
}

extension RetryPolicy {
    /// The outbox's wait before attempt `attempts + 1` of a message: backoff for a transient failure, the longest
    /// interval while the mail path is blocked (or for a permanent failure that is retried anyway).
    public func delay(afterAttempts attempts: Int, disposition: SMTPFailureReason.Disposition) -> TimeInterval {
        disposition == .transient ? delay(afterFailures: attempts) : maximum
    }
}
