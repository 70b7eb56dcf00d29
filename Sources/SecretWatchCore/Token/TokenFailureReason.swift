import FoundationEssentials

/// Every classified token failure, in one table: the stable `reason` (a metric label), the signature it is
/// recognised by, what the operator reads and the fix: Microsoft's documented token-endpoint failures (AADSTS
/// codes, HTTP answers) and the network failures, plus the catch-alls. docs/troubleshooting.md ("Token
/// reasons") lists every case (a test checks it).
///
/// Message and fix texts may hold placeholders filled from the failed request: `{host}`, `{port}`,
/// `{endpoint}`, `{proxy}`, `{ca_file}`, `{seconds}`, `{status}`, `{code}`, `{error}`, `{description}`,
/// `{tenant}`, `{client}`, `{scope}`, `{retry}`, `{limit}`, `{source}`, `{curl}`, `{content_type}`.
public enum TokenFailureReason: String, FailureReason, Codable {
    // Below the protocol: the same names in every catalog, classified once by `NetworkFailure`.
    case dnsFailure = "dns_failure", connectTimeout = "connect_timeout", connectRefused = "connect_refused"
    case proxyError = "proxy_error"
    case tlsUntrusted = "tls_untrusted", tlsHostnameMismatch = "tls_hostname_mismatch", tlsCAFile = "tls_ca_file"
    case tlsVersion = "tls_version", tlsHandshake = "tls_handshake"
    case tlsCertificateExpired = "tls_certificate_expired"
    case invalidClientSecret = "invalid_client_secret"
    case clientSecretExpired = "client_secret_expired"
    case invalidTenant = "invalid_tenant"
    case invalidClientId = "invalid_client_id"
    case invalidScope = "invalid_scope"
    case invalidClientAssertion = "invalid_client_assertion"
    case applicationDisabled = "application_disabled"
    case conditionalAccessBlocked = "conditional_access_blocked"
    case throttled = "throttled"
    case idpUnavailable = "idp_unavailable"
    case idpBadResponse = "idp_bad_response"
    case idpError = "idp_error"
    case responseTooLarge = "response_too_large"
    case responseTimeout = "response_timeout"
    case connectionClosed = "connection_closed"
    case networkError = "network_error"
    case secretUnreadable = "secret_unreadable"
    case certificateUnreadable = "certificate_unreadable"

    public var signature: String {
        switch self {
        case .dnsFailure: "curl 6 (could not resolve host), or curl 28 while resolving"
        case .connectTimeout: "curl 28 before a TCP connection was made"
        case .connectRefused: "curl 7 (connection refused, no route), no proxy configured"
        case .proxyError: "curl 5, curl 97, curl 7/28 with a proxy configured, curl 56 with a proxy CONNECT answer such as 407"
        case .tlsUntrusted: "curl 60 or 83 (unable to get local issuer certificate, self-signed certificate in chain, …)"
        case .tlsHostnameMismatch: "curl 60 (no alternative certificate subject name matches target host name)"
        case .tlsCAFile: "curl 77 (error setting certificate file)"
        case .tlsVersion: "curl 35 with a protocol-version alert; AADSTS1002016"
        case .tlsHandshake: "curl 35, 58, 59, 80, 82 otherwise"
        case .tlsCertificateExpired: "curl 60 (certificate has expired: the server's, an intermediate, or the issuing CA's notAfter has passed)"
        case .invalidClientSecret: "HTTP 401 invalid_client, AADSTS7000215 or 7000218"
        case .clientSecretExpired: "HTTP 401 invalid_client, AADSTS7000222"
        case .invalidTenant: "HTTP 400, AADSTS90002 or 900023"
        case .invalidClientId: "AADSTS700016 (or unauthorized_client without a known code)"
        case .invalidScope: "invalid_scope, AADSTS70011, 1002012 or 500011"
        case .invalidClientAssertion: "AADSTS700027, 700024, 700023, 700021 or 50012"
        case .applicationDisabled: "unauthorized_client, AADSTS7000112 or 70001"
        case .conditionalAccessBlocked: "AADSTS53003"
        case .throttled: "HTTP 429 (Retry-After honoured)"
        case .idpUnavailable: "HTTP 5xx from the token endpoint"
        case .idpBadResponse: "an answer that is not Microsoft's JSON: HTML (captive portal), a redirect, no access_token"
        case .idpError: "any other AADSTS code"
        case .responseTooLarge: "an answer body larger than the limit (curl stops reading)"
        case .responseTimeout: "curl 28 after the connection was made (slow-drip or stalled answer)"
        case .connectionClosed: "curl 52 (empty reply), 55, 56, 18: the connection ended without a complete answer"
        case .networkError: "any other curl error"
        case .secretUnreadable: "the client secret file or variable cannot be read"
        case .certificateUnreadable: "the certificate or key file cannot be read or does not sign (unreadable, encrypted, not the certificate's key)"
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
        case .invalidClientSecret: "invalid client secret (AADSTS{code})"
        case .clientSecretExpired: "the identity provider says the client secret has expired (AADSTS{code})"
        case .invalidTenant: "invalid OAuth endpoint or tenant identifier: tenant {tenant} is not found or malformed (AADSTS{code})"
        case .invalidClientId: "no application with client id {client} in tenant {tenant} (AADSTS{code})"
        case .invalidScope: "invalid scope {scope} (AADSTS{code})"
        case .invalidClientAssertion: "the client assertion was refused (AADSTS{code}): {assertion_problem}"
        case .applicationDisabled: "the application {client} is disabled in tenant {tenant} (AADSTS{code})"
        case .conditionalAccessBlocked: "a Conditional Access policy blocked the token request for {client} (AADSTS{code})"
        case .throttled: "the token endpoint is throttling requests (HTTP 429, retry after {retry})"
        case .idpUnavailable: "the token endpoint is unavailable (HTTP {status})"
        case .idpBadResponse: "unexpected answer from the token endpoint (HTTP {status}, {content_type}): not a token response"
        case .idpError: "the identity provider refused the request (AADSTS{code}, {error}): {description}"
        case .responseTooLarge: "the token endpoint's answer is larger than {limit} bytes: not a token response"
        case .responseTimeout: "the token endpoint accepted the connection but did not answer within {seconds}"
        case .connectionClosed: "the token endpoint closed the connection without a complete answer"
        case .networkError: "network error talking to {host}: {curl}"
        case .secretUnreadable: "the client secret cannot be read from {source}"
        case .certificateUnreadable: "the client assertion cannot be signed with {source}: {crypto}"
        }
    }

    public var fix: String {
        switch self {
        case .dnsFailure: "check DNS on this host (resolv.conf) and the host name in token_endpoint; where only a proxy resolves names, set token.proxy"
        case .connectTimeout: "check the proxy: a firewall drops the traffic or a proxy is needed (set token.proxy, or https_proxy in the environment)"
        case .connectRefused: "a firewall rejects the connection or a proxy is needed: check the token_endpoint port and token.proxy"
        case .proxyError: "check the proxy URL and its credentials (token.proxy, smtp.proxy or https_proxy)"
        case .tlsUntrusted: "add the CA that issued this certificate to the system trust store or set token.ca_file; never disable verification"
        case .tlsHostnameMismatch: "check the host in token_endpoint; if a proxy intercepts TLS, exempt login.microsoftonline.com or trust its CA with token.ca_file"
        case .tlsCAFile: "make the file exist, be readable by the secretwatch user and hold PEM certificates, or remove token.ca_file"
        case .tlsVersion: "allow TLS 1.2+ end to end: update OpenSSL/libcurl, or the intercepting proxy that downgrades the connection"
        case .tlsHandshake: "an intercepting proxy or middlebox breaks TLS; the detail has OpenSSL's reason"
        case .tlsCertificateExpired: "renew the server's certificate, or fix the TLS-inspecting proxy (its certificate or the CA in token.ca_file); check this machine's clock; never disable verification"
        case .invalidClientSecret: "put the secret's Value, not its Secret ID, in the secret file or variable (Entra → App registrations → Certificates & secrets)"
        case .clientSecretExpired: "create a new secret in Entra → App registrations → Certificates & secrets, put its Value in the secret file and its expiry date in secret_expires"
        case .invalidTenant: "set tenant_id to the Directory (tenant) ID from Entra → Overview (or a verified domain), and check token_endpoint"
        case .invalidClientId: "set client_id to the Application (client) ID of the app registration in this tenant"
        case .invalidScope: "the scope must be <resource>/.default, e.g. https://outlook.office365.com/.default"
        case .invalidClientAssertion: "{assertion_fix}; the app {client} must have the certificate with SHA-1 thumbprint {thumbprint} registered (Entra → App registrations → <app> → Certificates & secrets → Certificates) and client_key_file must be that certificate's key"
        case .applicationDisabled: "enable the app: Entra → Enterprise applications → <app> → Properties → Enabled for users to sign in: Yes (an administrator or Microsoft may have disabled it; check the audit log)"
        case .conditionalAccessBlocked: "an Entra administrator must exempt this workload identity or this host's IP address from the policy (Entra → Protection → Conditional Access → sign-in logs show which policy)"
        case .throttled: "nothing to change: secretwatch waits as asked before retrying, and tokens are cached"
        case .idpUnavailable: "retry later (secretwatch backs off); tokens are cached; if it lasts, check Microsoft 365 service health"
        case .idpBadResponse: "often a captive portal or proxy login page: check token.proxy and that token_endpoint is Microsoft's"
        case .idpError: "look the code up at https://login.microsoftonline.com/error?code={code}"
        case .responseTooLarge: "a proxy or portal answers instead of Microsoft: check token.proxy and token_endpoint"
        case .responseTimeout: "a proxy or the identity provider stalls: check token.proxy; raise token.timeout only on a slow link"
        case .connectionClosed: "a proxy or firewall cuts the connection: check token.proxy; retried with backoff"
        case .networkError: "see the detail for libcurl's reason"
        case .secretUnreadable: "make client_secret_file readable by secretwatch (mode 0600) or set client_secret_env"
        case .certificateUnreadable: "make client_certificate_file and client_key_file readable by secretwatch (key mode 0600, unencrypted RSA, the certificate's own key); secretwatch check names what is wrong"
        }
    }

    /// Whether waiting can fix it without anybody changing anything.
    public var transient: Bool {
        switch self {
        case .throttled, .idpUnavailable, .responseTimeout, .connectionClosed, .networkError: true
        default: false
        }
    }

    /// AADSTS codes that mean this reason (the hint comes from the code; `error` is the fallback).
    public var aadstsCodes: [Int] {
        switch self {
        case .invalidClientSecret: [7000215, 7000218]
        case .clientSecretExpired: [7000222]
        case .invalidTenant: [90002, 900023]
        case .invalidClientId: [700016]
        case .invalidScope: [70011, 1002012, 500011]
        case .invalidClientAssertion: [700027, 700024, 700023, 700021, 50012]
        case .applicationDisabled: [7000112, 70001]
        case .conditionalAccessBlocked: [53003]
        case .tlsVersion: [1002016]
        default: []
        }
    }

    /// What a refused client assertion's AADSTS code says went wrong and what to do first: the
    /// `{assertion_problem}` and `{assertion_fix}` of `invalid_client_assertion`.
    public static func assertionValues(code: Int?) -> [String: String] {
        switch code {
        case 700024:
            ["assertion_problem": "the assertion is outside its validity window: this host's clock is off (clock skew)",
             "assertion_fix": "check the clock (NTP) of this host: timedatectl status, chronyc tracking"]
        case 700023:
            ["assertion_problem": "the assertion's audience is not the token endpoint",
             "assertion_fix": "check token_endpoint: it must be the tenant's https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token (or the national cloud's)"]
        case 700021:
            ["assertion_problem": "the assertion's issuer or subject is not the client id",
             "assertion_fix": "check client_id: it must be the Application (client) ID of the app the certificate is registered on"]
        default:
            ["assertion_problem": "the signature does not verify with a certificate registered on the app (certificate not uploaded, or signed with another key)",
             "assertion_fix": "upload client_certificate_file to the app registration"]
        }
    }

    /// The reason for an AADSTS code, if the table knows it.
    public static func forAADSTS(_ code: Int) -> TokenFailureReason? {
        allCases.first { $0.aadstsCodes.contains(code) }
    }
}

/// A failed token request: the classified reason as an `OperatorError` (message with the fix, scrubbed), plus
/// the evidence Microsoft support asks for. Never holds the secret or a token.
public struct TokenFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: TokenFailureReason
    public var operatorError: OperatorError
    public var httpStatus: Int?
    public var aadstsCode: Int?
    /// The OAuth `error` field (`invalid_client`, …).
    public var oauthError: String?
    public var traceId: String?
    public var correlationId: String?
    /// How long the server asked us to wait (429 `Retry-After`).
    public var retryAfter: TimeInterval?

    public init(reason: TokenFailureReason, values: [String: String], detail: String?, httpStatus: Int? = nil,
                aadstsCode: Int? = nil, oauthError: String? = nil, traceId: String? = nil, correlationId: String? = nil,
                retryAfter: TimeInterval? = nil) {
        self.reason = reason
        operatorError = reason.failure(values, detail: detail)
        self.httpStatus = httpStatus
        self.aadstsCode = aadstsCode
        self.oauthError = oauthError
        self.traceId = traceId
        self.correlationId = correlationId
        self.retryAfter = retryAfter
    }

    public var message: String { operatorError.message }
    public var fix: String { operatorError.fix }
    public var description: String { operatorError.description }
}

extension TokenFailure: OperatorErrorConvertible {}
