import FoundationEssentials

/// The transfer settings a handle takes, typed, so that no caller needs the C module.
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
    /// SASL XOAUTH2 with this user and bearer token; initial response sent with AUTH. The handle tells its
    /// `CurlSecretHandling` the initial response it sends.
    case xoauth2(user: String, bearer: String)
    /// The message to upload (SMTP DATA).
    case upload(Data)
    /// Connect and run the protocol's set-up (SMTP: greeting, EHLO, STARTTLS, AUTH) only, then stop.
    case connectOnly
    /// Minimum TLS version 1.2.
    case tls12OrNewer
    /// Resolve `host:port` to `address` without DNS (tests).
    case resolve([String])
    /// Keep the certificates the server presents on a new connection (`CurlResponse.presentedCertificates`).
    /// libcurl collects them once per TLS handshake: a reused connection costs nothing.
    case certificateInfo
}

/// What a handle must keep out of the text it reports, supplied by its owner (who knows what is secret). A server
/// may echo what it was sent, and libcurl sends secrets in forms the owner never builds itself: the XOAUTH2 initial
/// response and its base64.
public protocol CurlSecretHandling: Sendable {
    /// `secret` is about to be sent: from now on `scrub` must mask it. A handle tells each value once while it
    /// keeps sending it (across transfers and `reset()`), not once per transfer: a series of mails with one token
    /// sends the same value hundreds of times.
    func willSend(_ secret: String)
    /// `text` with every secret it holds masked. Lines the handle sends (its trace) and libcurl's error buffer
    /// pass here before they reach a `CurlResponse`.
    func scrub(_ text: String) -> String
    /// What stands for a sent line that is dropped whole (a SASL continuation answering a `334` challenge).
    var mask: String { get }
}
