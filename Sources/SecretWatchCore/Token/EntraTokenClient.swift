import FoundationEssentials
internal import SecretWatchCurl

/// Client-credentials token requests to the Entra token endpoint over libcurl: TLS always verified (system
/// trust store, or `ca_file`), connect and total timeouts, optional proxy, answer size capped, every failure
/// classified. The blocking transfer runs on `BlockingExecutor`'s threads, never on the cooperative pool.
public struct EntraTokenClient: Sendable {
    public let settings: TokenEndpointSettings
    private let environment: [String: String]
    /// Where the chain the endpoint presents on a new connection is recorded (nil: not recorded).
    public var certificates: EndpointCertificates?

    public static let userAgent = "secretwatch/\(SecretWatchVersion.string)"

    public init(settings: TokenEndpointSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                certificates: EndpointCertificates? = nil) {
        self.settings = settings
        self.environment = environment
        self.certificates = certificates
    }

    /// The same app's client for another resource's scope (`https://graph.microsoft.com/.default`).
    public func scoped(_ scope: String) -> EntraTokenClient {
        var settings = settings
        settings.scope = scope
        return EntraTokenClient(settings: settings, environment: environment, certificates: certificates)
    }

    /// One request; `startedAt` is the (injected) clock's now, from which the token's expiry is counted.
    public func request(startedAt: Date) async -> TokenRequestOutcome {
        let monotonic = ContinuousClock.now
        let (result, status) = await BlockingExecutor.run { [settings, environment, certificates] in
            Self.perform(settings: settings, environment: environment, startedAt: startedAt, certificates: certificates)
        }
        let elapsed = ContinuousClock.now - monotonic
        let duration = elapsed.timeInterval
        return TokenRequestOutcome(credential: settings.credential, startedAt: startedAt, duration: duration,
                                   result: result, httpStatus: status, scope: settings.scope)
    }

    /// The blocking part: read the secret (or sign an assertion with the key), run the transfer, classify.
    static func perform(settings: TokenEndpointSettings, environment: [String: String],
                        startedAt: Date, certificates: EndpointCertificates? = nil) -> (Result<AccessToken, TokenFailure>, Int?) {
        let body: String
        switch credentialForm(settings: settings, environment: environment, now: startedAt) {
        case .success(let form): body = form
        case .failure(let failure): return (.failure(failure), nil)
        }
        let response: CurlResponse
        do {
            let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
            try easy.set(options(settings, body: body))
            if certificates != nil { try easy.set(.certificateInfo) }
            response = easy.perform()
        } catch {
            var values = TokenFailureClassifier.baseValues(settings)
            values["curl"] = "\(error)"
            return (.failure(TokenFailure(reason: .networkError, values: values, detail: "\(error)")), nil)
        }
        if let certificates, let endpoint = EndpointCertificate.endpoint(ofURL: settings.endpoint) {
            certificates.record(endpoint: endpoint, pems: response.presentedCertificates)
        }
        let status = response.responseCode > 0 ? response.responseCode : nil
        if let failure = TokenFailureClassifier.classify(response, settings: settings) {
            return (.failure(failure), status)
        }
        guard let grant = TokenGrant.parse(response.body) else {
            // classify() returns nil only for a parseable grant; this is a programming error.
            preconditionFailure("token answer classified as success but not parseable")
        }
        let token = AccessToken(value: grant.accessToken, obtainedAt: startedAt,
                                expiresAt: startedAt.addingTimeInterval(TimeInterval(grant.expiresIn)))
        return (.success(token), status)
    }

    static func options(_ s: TokenEndpointSettings, body: String) -> [CurlOption] {
        var options: [CurlOption] = [
            .url(s.endpoint), .connectTimeout(s.connectTimeout), .timeout(s.timeout), .tls12OrNewer,
            .maxResponseBytes(s.maxResponseBytes), .userAgent(userAgent),
            // An empty proxy turns off libcurl's own reading of the environment: ProxyChoice already did that.
            .proxy(s.proxy.url ?? ""),
            .post(body: body, headers: ["Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
                                        "Expect:"]),
        ]
        if let noProxy = s.proxy.noProxy { options.append(.noProxy(noProxy)) }
        if let caFile = s.caFile { options.append(.caFile(caFile)) }
        return options
    }
}

/// Everything one credential's token requests need, resolved from the configuration and the environment.
public struct TokenEndpointSettings: Sendable, Equatable {
    public var credential: String
    public var endpoint: String
    public var tenantId: String
    public var clientId: String
    public var scope: String
    /// The client secret's source, or the certificate and key that sign a client assertion.
    public var authentication: ClientAuthentication
    public var connectTimeout: TimeInterval
    public var timeout: TimeInterval
    /// Extra trust anchors (PEM); nil = the system trust store. Verification is always on.
    public var caFile: String?
    public var proxy: ProxyChoice
    /// Larger answers are `response_too_large` (a real one is 2–5 KB).
    public var maxResponseBytes: Int
    /// Whether the token-health step probes this credential. A discovery tenant's reader app is not probed:
    /// discovery asks for its Graph token itself and reports its failures as `discovery_failing`.
    public var probed = true

    public static let defaultMaxResponseBytes = 256 * 1024

    public init(credential: String, endpoint: String, tenantId: String, clientId: String, scope: String,
                authentication: ClientAuthentication, connectTimeout: TimeInterval = ConfigDefaults.tokenConnectTimeout,
                timeout: TimeInterval = ConfigDefaults.tokenTimeout, caFile: String? = nil,
                proxy: ProxyChoice = .direct, maxResponseBytes: Int = TokenEndpointSettings.defaultMaxResponseBytes) {
        self.credential = credential
        self.endpoint = endpoint
        self.tenantId = tenantId
        self.clientId = clientId
        self.scope = scope
        self.authentication = authentication
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
        self.proxy = proxy
        self.maxResponseBytes = maxResponseBytes
    }

    /// Settings of a credential with a client secret.
    public init(credential: String, endpoint: String, tenantId: String, clientId: String, scope: String,
                secret: SecretSource, connectTimeout: TimeInterval = ConfigDefaults.tokenConnectTimeout,
                timeout: TimeInterval = ConfigDefaults.tokenTimeout, caFile: String? = nil,
                proxy: ProxyChoice = .direct, maxResponseBytes: Int = TokenEndpointSettings.defaultMaxResponseBytes) {
        self.init(credential: credential, endpoint: endpoint, tenantId: tenantId, clientId: clientId, scope: scope,
                  authentication: .secret(secret), connectTimeout: connectTimeout, timeout: timeout, caFile: caFile,
                  proxy: proxy, maxResponseBytes: maxResponseBytes)
    }

    /// The client secret's source (nil for a certificate credential); setting it makes the credential a secret one.
    public var secret: SecretSource? {
        get { authentication.secret }
        set { if let newValue { authentication = .secret(newValue) } }
    }

    /// The SMTP credential's settings: `token.*`, falling back to `smtp.ca_file` / `smtp.proxy`, then to
    /// `https_proxy` / `no_proxy` from the environment.
    public init(config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let auth = config.smtp.auth
        self.init(credential: auth.name, endpoint: auth.resolvedTokenEndpoint, tenantId: auth.tenantId,
                  clientId: auth.clientId, scope: auth.scope, authentication: auth.authentication,
                  connectTimeout: config.token.connectTimeout, timeout: config.token.timeout,
                  caFile: config.token.caFile ?? config.smtp.caFile,
                  proxy: ProxyChoice.resolve(configured: config.token.proxy, noProxy: config.token.noProxy,
                                             fallback: config.smtp.proxy, environment: environment))
    }

    /// The settings of every credential that has a secret or a certificate: the SMTP one first, then the watched
    /// ones with a `client_secret_file` / `client_secret_env` or a `client_certificate_file`, then the reader apps of discovery tenants with a secret of their
    /// own (asking for the Graph scope; not probed). All share the `token.*` connection settings.
    public static func all(config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) -> [TokenEndpointSettings] {
        let smtp = TokenEndpointSettings(config: config, environment: environment)
        let readers: [TokenEndpointSettings] = (config.discovery?.tenants ?? []).compactMap { tenant in
            guard case .source(let secret) = tenant.secret else { return nil }
            var settings = smtp
            settings.credential = DiscoveryTenantConfig.readerName(tenant.name)
            settings.endpoint = tenant.resolvedTokenEndpoint
            settings.tenantId = tenant.tenantId
            settings.clientId = tenant.clientId
            settings.scope = tenant.scope
            settings.authentication = .secret(secret)
            settings.probed = false
            return settings
        }
        return [smtp] + config.credentials.compactMap { watched in
            guard let authentication = watched.authentication else { return nil }
            var settings = smtp
            settings.credential = watched.name
            settings.endpoint = watched.resolvedTokenEndpoint
            settings.tenantId = watched.tenantId
            settings.clientId = watched.clientId
            settings.scope = watched.scope
            settings.authentication = authentication
            return settings
        } + readers
    }

    /// Host and port of the endpoint (for messages).
    public var hostAndPort: (host: String, port: Int) {
        let url = URL(string: endpoint)
        return (url?.host ?? endpoint, url?.port ?? 443)
    }
}

/// Which proxy token requests use, and where that choice came from (shown by `check`).
public struct ProxyChoice: Sendable, Equatable {
    /// `http://[user:pass@]host:port`; nil = direct.
    public var url: String?
    public var noProxy: String?
    /// `token.proxy`, `smtp.proxy`, `environment (https_proxy)` or `none`.
    public var source: String

    public static let direct = ProxyChoice(url: nil, noProxy: nil, source: "none")

    public init(url: String?, noProxy: String?, source: String) {
        self.url = url
        self.noProxy = noProxy
        self.source = source
        if let url { Self.registerPassword(in: url) }
    }

    /// The configured proxy (`direct` turns proxies off, even the environment's), else the fallback
    /// (`smtp.proxy`), else `https_proxy` / `HTTPS_PROXY` / `all_proxy` with `no_proxy` from the environment.
    public static func resolve(configured: String?, noProxy: String?, fallback: String?,
                               environment: [String: String]) -> ProxyChoice {
        if let configured {
            return configured == "direct" ? .direct : ProxyChoice(url: configured, noProxy: noProxy, source: "token.proxy")
        }
        if let fallback { return ProxyChoice(url: fallback, noProxy: noProxy, source: "smtp.proxy") }
        for name in ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            if let value = environment[name], !value.isEmpty {
                let exempt = noProxy ?? environment["no_proxy"] ?? environment["NO_PROXY"]
                return ProxyChoice(url: value, noProxy: exempt, source: "environment (\(name))")
            }
        }
        return .direct
    }

    /// `http://proxy:3128 (token.proxy)` with any password masked.
    public var display: String {
        guard let url else { return "none (direct)" }
        return "\(Redactor.scrubURLCredentials(url)) (\(source))" + (noProxy.map { ", except \($0)" } ?? "")
    }

    /// A proxy password is a secret too: it must never reach a log line or an error text.
    private static func registerPassword(in url: String) {
        guard let parsed = URLComponents(string: url), let password = parsed.password, !password.isEmpty else { return }
        Redactor.shared.register(password)
        if let decoded = PercentEncoding.decode(password) { Redactor.shared.register(decoded) }
    }
}
