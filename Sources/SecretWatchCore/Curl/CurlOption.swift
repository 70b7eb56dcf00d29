import Foundation

/// The transfer settings secretwatch uses, typed, so that no caller needs the C module.
public enum CurlOption: Sendable {
    case url(String)
    case connectTimeout(TimeInterval)
    case timeout(TimeInterval)
    /// Abort when fewer than `bytesPerSecond` arrive for `seconds` (slow-drip bodies).
    case lowSpeed(bytesPerSecond: Int, seconds: Int)
    /// Extra trust anchors (PEM file); verification of peer and host name is always on.
    case caFile(String)
    /// `http://[user:pass@]host:port`; empty string disables proxies (also from the environment).
    case proxy(String)
    case noProxy(String)
    /// Tunnel non-HTTP protocols (SMTP) through an HTTP proxy with CONNECT.
    case httpProxyTunnel(Bool)
    /// POST with this body (copied), and these request headers.
    case post(body: String, headers: [String])
    case httpHeaders([String])
    case userAgent(String)
    /// Body bytes kept at most; more makes the transfer fail with `responseTooLarge`.
    case maxResponseBytes(Int)
    /// SMTP: require TLS (STARTTLS on smtp://, implicit on smtps://); never falls back to plaintext.
    case requireTLS
    /// SMTP envelope.
    case mailFrom(String)
    case mailRecipients([String])
    /// SMTP: keep going when some recipients are refused.
    case allowRecipientFailures(Bool)
    /// SASL XOAUTH2 with this user and bearer token; initial response sent with AUTH.
    case xoauth2(user: String, bearer: String)
    /// The message to upload (SMTP DATA).
    case upload(Data)
    /// Connect and run the protocol's set-up (SMTP: greeting, EHLO, STARTTLS, AUTH) only, then stop.
    case connectOnly
    /// Minimum TLS version 1.2.
    case tls12OrNewer
    /// Resolve `host:port` to `address` without DNS (tests).
    case resolve([String])
}
