import FoundationEssentials
internal import SecretWatchCurl

/// The failures below the protocol — name resolution, TCP, proxy, TLS — that every path meets the same way.
/// One classification of what libcurl reported serves the token and the SMTP paths; each catalog
/// (`TokenFailureReason`, `SMTPFailureReason`) has a case of the same name for every one of these, with
/// the message and fix that fit its settings (`token.proxy`, `smtp.proxy`, ...).
enum NetworkFailure: String, CaseIterable, Sendable {
    case dnsFailure = "dns_failure", connectTimeout = "connect_timeout", connectRefused = "connect_refused"
    case proxyError = "proxy_error"
    case tlsUntrusted = "tls_untrusted", tlsHostnameMismatch = "tls_hostname_mismatch", tlsCAFile = "tls_ca_file"
    case tlsVersion = "tls_version", tlsHandshake = "tls_handshake"
    case tlsCertificateExpired = "tls_certificate_expired"

    /// The failure below the protocol that a transfer ended in, or nil when the path must decide: a timeout
    /// after the connection was made, a connection that ended early, any other curl code.
    static func classify(_ r: CurlResponse, viaProxy: Bool) -> NetworkFailure? {
        let text = (r.errorText + " " + r.codeText).lowercased()
        switch r.code {
        case .couldntResolveHost: return .dnsFailure
        case .couldntResolveProxy, .proxy: return .proxyError
        case .couldntConnect: return viaProxy ? .proxyError : .connectRefused
        case .operationTimedOut:
            if text.contains("resolving") { return .dnsFailure }
            if !r.connected { return viaProxy ? .proxyError : .connectTimeout }
            if viaProxy && text.contains("connect") && text.contains("proxy") { return .proxyError }
            return nil
        case .recvError, .sendError, .gotNothing, .partialFile:
            // A proxy that answers CONNECT with 407 or closes the tunnel.
            return viaProxy && (text.contains("proxy") || text.contains("connect")) ? .proxyError : nil
        case .peerFailedVerification, .sslIssuerError:
            // OpenSSL's X509_V_ERR_CERT_HAS_EXPIRED, for any certificate of the chain: the server's, an
            // intermediate, or the CA (an intercepting proxy's) — no CA to add would help.
            if text.contains("certificate has expired") { return .tlsCertificateExpired }
            let names = ["subject name", "does not match", "host name", "hostname"]
            return names.contains(where: text.contains) ? .tlsHostnameMismatch : .tlsUntrusted
        case .sslCACertBadFile: return .tlsCAFile
        case .sslConnectError, .sslCipher:
            // "wrong version number" is OpenSSL reading plain text where a TLS record should be: a mode or port
            // mismatch (implicit TLS on a STARTTLS port), not an old TLS version.
            if text.contains("wrong version number") || text.contains("packet length too long") { return .tlsHandshake }
            let old = ["protocol version", "unsupported protocol", "no protocols available", "version too low"]
            if old.contains(where: text.contains) { return .tlsVersion }
            return viaProxy && text.contains("proxy") ? .proxyError : .tlsHandshake
        case .sslCertProblem, .sslShutdownFailed, .sslCRLBadFile: return .tlsHandshake
        default: return nil
        }
    }
}

extension FailureReason {
    /// This catalog's case for a failure below the protocol (every catalog has one of the same name; a test
    /// checks it for each).
    init(_ network: NetworkFailure) {
        guard let reason = Self(rawValue: network.rawValue) else {
            preconditionFailure("\(Self.self) has no case \(network.rawValue)")
        }
        self = reason
    }
}
