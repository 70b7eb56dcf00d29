import FoundationEssentials

/// Every classified failure of a Microsoft Graph request (listing app registrations or service principals), in one table: the network
/// failures shared with every path, Graph's own answers, the bounds secretwatch keeps (page count, answer
/// size, where a next page may lead), and the catch-alls. docs/troubleshooting.md ("Graph reasons") lists every
/// case (a test checks it). Graph requests use the token connection settings (`token.proxy`, `token.ca_file`).
///
/// Message and fix texts may hold placeholders filled from the failed request: `{host}`, `{port}`, `{proxy}`,
/// `{ca_file}`, `{seconds}`, `{status}`, `{content_type}`, `{code}`, `{description}`, `{retry}`, `{limit}`,
/// `{pages}`, `{link_host}`, `{tenant}`, `{client}`, `{curl}`, `{collection}` ("applications", "service principals").
public enum GraphFailureReason: String, FailureReason, Codable {
    // Below the protocol: the same names in every catalog, classified once by `NetworkFailure`.
    case dnsFailure = "dns_failure", connectTimeout = "connect_timeout", connectRefused = "connect_refused"
    case proxyError = "proxy_error"
    case tlsUntrusted = "tls_untrusted", tlsHostnameMismatch = "tls_hostname_mismatch", tlsCAFile = "tls_ca_file"
    case tlsVersion = "tls_version", tlsHandshake = "tls_handshake"
    case tlsCertificateExpired = "tls_certificate_expired"
    case permissionMissing = "graph_permission_missing"
    case unauthorized = "graph_unauthorized"
    case throttled = "graph_throttled"
    case unavailable = "graph_unavailable"
    case badResponse = "graph_bad_response"
    case responseTooLarge = "graph_response_too_large"
    case pagingUnbounded = "graph_paging_unbounded"
    case nextLinkRejected = "graph_next_link_rejected"
    case responseTimeout = "graph_response_timeout"
    case connectionClosed = "graph_connection_closed"
    case graphError = "graph_error"
    case networkError = "graph_network_error"

    public var signature: String {
        switch self {
        case .dnsFailure: "curl 6 (could not resolve host), or curl 28 while resolving"
        case .connectTimeout: "curl 28 before a TCP connection was made"
        case .connectRefused: "curl 7 (connection refused, no route), no proxy configured"
        case .proxyError: "curl 5, curl 97, curl 7/28 with a proxy configured, curl 56 with a proxy CONNECT answer such as 407"
        case .tlsUntrusted: "curl 60 or 83 (unable to get local issuer certificate, self-signed certificate in chain, …)"
        case .tlsHostnameMismatch: "curl 60 (no alternative certificate subject name matches target host name)"
        case .tlsCAFile: "curl 77 (error setting certificate file)"
        case .tlsVersion: "curl 35 with a protocol-version alert"
        case .tlsHandshake: "curl 35, 58, 59, 80, 82 otherwise"
        case .tlsCertificateExpired: "curl 60 (certificate has expired: the server's, an intermediate, or the issuing CA's notAfter has passed)"
        case .permissionMissing: "HTTP 403 with error code Authorization_RequestDenied"
        case .unauthorized: "HTTP 401 (InvalidAuthenticationToken): Graph refused the access token"
        case .throttled: "HTTP 429 (Retry-After honoured)"
        case .unavailable: "HTTP 5xx, e.g. 503 serviceNotAvailable (Retry-After honoured)"
        case .badResponse: "HTTP 200 that is not a list of applications or service principals (no JSON, no value array, a missing id or keyId, a date that is not one), or an error answer that is not Graph's JSON"
        case .responseTooLarge: "one page larger than the page limit, or all pages together larger than the total limit"
        case .pagingUnbounded: "an @odata.nextLink after the page limit, or one that was followed before"
        case .nextLinkRejected: "an @odata.nextLink that is not an https URL on the Graph host asked"
        case .responseTimeout: "curl 28 after the connection was made (slow or stalled answer)"
        case .connectionClosed: "curl 52 (empty reply), 55, 56, 18: the connection ended without a complete answer"
        case .graphError: "any other HTTP error answer (e.g. 400 Request_UnsupportedQuery, a 403 with another code)"
        case .networkError: "any other curl error"
        }
    }

    public var message: String {
        switch self {
        case .dnsFailure: "cannot resolve the host {host}"
        case .connectTimeout: "connect timed out: cannot reach {host}:{port} within {seconds}"
        case .connectRefused: "cannot reach {host}:{port}: connection refused"
        case .proxyError: "the proxy {proxy} refused the connection or is unreachable"
        case .tlsUntrusted: "the server certificate of {host} is not trusted here (TLS-inspection proxy or stale CA bundle)"
        case .tlsHostnameMismatch: "the certificate presented for {host} is not for that host name (wrong host or intercepting proxy)"
        case .tlsCAFile: "the configured CA file {ca_file} cannot be read"
        case .tlsVersion: "TLS 1.2 or newer is required, and the connection to {host} did not get it"
        case .tlsHandshake: "the TLS handshake with {host} failed"
        case .tlsCertificateExpired: "a certificate in the chain {host} presented (the server's, or an intercepting proxy's) has expired"
        case .permissionMissing: "Microsoft Graph refused to list the {collection} of tenant {tenant}: app {client} lacks the permission ({code})"
        case .unauthorized: "Microsoft Graph refused the access token of app {client} (HTTP 401, {code}): {description}"
        case .throttled: "Microsoft Graph is throttling requests (HTTP 429, retry after {retry})"
        case .unavailable: "Microsoft Graph is unavailable (HTTP {status}, retry after {retry})"
        case .badResponse: "unexpected answer from Microsoft Graph (HTTP {status}, {content_type}): not a list of {collection}"
        case .responseTooLarge: "Microsoft Graph's answer is larger than {limit} bytes: listing stopped"
        case .pagingUnbounded: "Microsoft Graph's paging did not end after {pages} pages: listing stopped"
        case .nextLinkRejected: "Microsoft Graph's next page link leads to {link_host}, not to {host}: not followed"
        case .responseTimeout: "Microsoft Graph accepted the connection but did not answer within {seconds}"
        case .connectionClosed: "Microsoft Graph closed the connection without a complete answer"
        case .graphError: "Microsoft Graph refused the request (HTTP {status}, {code}): {description}"
        case .networkError: "network error talking to {host}: {curl}"
        }
    }

    public var fix: String {
        switch self {
        case .dnsFailure: "check DNS on this host (resolv.conf) and the host of the Graph base URL; where only a proxy resolves names, set token.proxy"
        case .connectTimeout: "check the proxy: a firewall drops the traffic or a proxy is needed (set token.proxy, or https_proxy in the environment)"
        case .connectRefused: "a firewall rejects the connection or a proxy is needed: check the Graph base URL's port and token.proxy"
        case .proxyError: "check the proxy URL and its credentials (token.proxy, smtp.proxy or https_proxy)"
        case .tlsUntrusted: "add the CA that issued this certificate to the system trust store or set token.ca_file; never disable verification"
        case .tlsHostnameMismatch: "check the Graph base URL; if a proxy intercepts TLS, exempt graph.microsoft.com or trust its CA with token.ca_file"
        case .tlsCAFile: "make the file exist, be readable by the secretwatch user and hold PEM certificates, or remove token.ca_file"
        case .tlsVersion: "allow TLS 1.2+ end to end: update OpenSSL/libcurl, or the intercepting proxy that downgrades the connection"
        case .tlsHandshake: "an intercepting proxy or middlebox breaks TLS; the detail has OpenSSL's reason"
        case .tlsCertificateExpired: "renew the server's certificate, or fix the TLS-inspecting proxy (its certificate or the CA in token.ca_file); check this machine's clock; never disable verification"
        case .permissionMissing: "grant app {client} the Microsoft Graph application permission Application.Read.All and an administrator's consent (Entra → App registrations → API permissions → Add a permission → Microsoft Graph → Application permissions → Application.Read.All, then Grant admin consent)"
        case .unauthorized: "the token must be for the Graph scope of the same cloud as the Graph base URL (https://graph.microsoft.com/.default for graph.microsoft.com); a fresh token is fetched on the next attempt"
        case .throttled: "nothing to change: secretwatch waits as asked before listing again"
        case .unavailable: "retry later (secretwatch waits as asked); if it lasts, check Microsoft 365 service health"
        case .badResponse: "often a captive portal or proxy page: check token.proxy and that the Graph base URL is Microsoft's"
        case .responseTooLarge: "a proxy or portal may answer instead of Microsoft: check token.proxy and the Graph base URL; a tenant this large needs a higher limit"
        case .pagingUnbounded: "a proxy or Graph itself repeats pages: retry later; a tenant this large needs a higher page limit"
        case .nextLinkRejected: "the bearer token is only sent to the configured Graph host: check the Graph base URL (national clouds have their own host) and any proxy that rewrites answers"
        case .responseTimeout: "a proxy or Graph stalls: check token.proxy; retried on the next pass"
        case .connectionClosed: "a proxy or firewall cuts the connection: check token.proxy; retried on the next pass"
        case .graphError: "read Graph's code and message in the detail; keep its request-id for a support case"
        case .networkError: "see the detail for libcurl's reason"
        }
    }

    /// Whether waiting can fix it without anybody changing anything.
    public var transient: Bool {
        switch self {
        case .throttled, .unavailable, .responseTimeout, .connectionClosed, .networkError: true
        default: false
        }
    }
}
