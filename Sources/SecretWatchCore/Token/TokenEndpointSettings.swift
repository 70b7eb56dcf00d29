import Foundation

/// Everything one credential's token requests need, resolved from the configuration and the environment.
public struct TokenEndpointSettings: Sendable, Equatable {
    public var credential: String
    public var endpoint: String
    public var tenantId: String
    public var clientId: String
    public var scope: String
    public var secret: SecretSource
    public var connectTimeout: TimeInterval
    public var timeout: TimeInterval
    /// Extra trust anchors (PEM); nil = the system trust store. Verification is always on.
    public var caFile: String?
    public var proxy: ProxyChoice
    /// Larger answers are `response_too_large` (a real one is 2–5 KB).
    public var maxResponseBytes: Int

    public static let defaultMaxResponseBytes = 256 * 1024

    public init(credential: String, endpoint: String, tenantId: String, clientId: String, scope: String,
                secret: SecretSource, connectTimeout: TimeInterval = ConfigDefaults.tokenConnectTimeout,
                timeout: TimeInterval = ConfigDefaults.tokenTimeout, caFile: String? = nil,
                proxy: ProxyChoice = .direct, maxResponseBytes: Int = TokenEndpointSettings.defaultMaxResponseBytes) {
        self.credential = credential
        self.endpoint = endpoint
        self.tenantId = tenantId
        self.clientId = clientId
        self.scope = scope
        self.secret = secret
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
        self.proxy = proxy
        self.maxResponseBytes = maxResponseBytes
    }

    /// The SMTP credential's settings: `token.*`, falling back to `smtp.ca_file` / `smtp.proxy`, then to
    /// `https_proxy` / `no_proxy` from the environment.
    public init(config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let auth = config.smtp.auth
        self.init(credential: auth.name, endpoint: auth.resolvedTokenEndpoint, tenantId: auth.tenantId,
                  clientId: auth.clientId, scope: auth.scope, secret: auth.secret,
                  connectTimeout: config.token.connectTimeout, timeout: config.token.timeout,
                  caFile: config.token.caFile ?? config.smtp.caFile,
                  proxy: ProxyChoice.resolve(configured: config.token.proxy, noProxy: config.token.noProxy,
                                             fallback: config.smtp.proxy, environment: environment))
    }

    /// The settings of every credential that has a secret: the SMTP one first, then the watched ones with a
    /// `client_secret_file` / `client_secret_env`. All share the `token.*` connection settings.
    public static func all(config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) -> [TokenEndpointSettings] {
        let smtp = TokenEndpointSettings(config: config, environment: environment)
        return [smtp] + config.credentials.compactMap { watched in
            guard let secret = watched.secret else { return nil }
            var settings = smtp
            settings.credential = watched.name
            settings.endpoint = watched.resolvedTokenEndpoint
            settings.tenantId = watched.tenantId
            settings.clientId = watched.clientId
            settings.scope = watched.scope
            settings.secret = secret
            return settings
        }
    }

    /// Host and port of the endpoint (for messages).
    public var hostAndPort: (host: String, port: Int) {
        let url = URL(string: endpoint)
        return (url?.host ?? endpoint, url?.port ?? 443)
    }
}
