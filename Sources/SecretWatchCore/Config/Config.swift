import Foundation
import Logging
internal import SecretWatchHTTPServer

/// The validated configuration. Built only by `ConfigLoader`; every field is documented in docs/configuration.md.
public struct Config: Sendable {
    /// Absolute path of the SQLite database.
    public var database: String
    public var logLevel: Logger.Level
    public var http: HTTPConfig
    public var scheduler: SchedulerConfig
    public var smtp: SMTPConfig
    public var notifications: NotificationsConfig
    public var alarms: AlarmPolicy
    /// Outbox delivery (concurrency, rate cap, retries); defaults when the section is absent.
    public var mailer: MailerConfig = MailerConfig()
    /// Further credentials watched for expiry only (no secret, no token probing).
    public var credentials: [WatchedCredentialConfig]
    /// The file the configuration was read from.
    public var sourcePath: String
    /// How token requests are made (`token:`).
    public var token: TokenConfig = TokenConfig()
    /// Credentials read from Microsoft Graph (`discovery:`); nil when the section is absent.
    public var discovery: DiscoveryConfig?
    /// The Alertmanager/Grafana webhook relay (`relay:`); nil when the section is absent (nothing is relayed).
    public var relay: RelayConfig?

    /// Every configured credential: the SMTP one first, then the list, then one per discovery tenant for its
    /// reader app (`discovery:<name>`, which carries the tenant's `discovery_failing` alarm and, with a secret of
    /// its own, that secret's expiry once Graph tells it).
    public var allCredentials: [Credential] {
        [smtp.auth.credential] + credentials.map(\.credential) + (discovery?.tenants ?? []).map { tenant in
            var secret = false
            if case .source = tenant.secret { secret = true }
            return Credential(name: DiscoveryTenantConfig.readerName(tenant.name), displayName: "Graph reader of \(tenant.name)",
                              tenantId: tenant.tenantId, clientId: tenant.clientId, mailbox: nil, expiresAt: nil,
                              hasSecret: secret, discoveryTenant: tenant.name)
        }
    }
}

public struct HTTPConfig: Sendable, Equatable {
    public var listenHost: String
    public var listenPort: Int
    /// File holding the bearer token required by write endpoints (and by reads when `authReads`).
    public var apiTokenFile: String?
    public var authReads: Bool
    /// Connection limits and timeouts (`connection_limit`, `per_ip_connection_limit`, `request_timeout`,
    /// `idle_timeout`).
    var limits = ConfigDefaults.httpLimits
}

public struct SchedulerConfig: Sendable, Equatable {
    /// Time between two evaluation passes.
    public var interval: TimeInterval
}

public enum TLSMode: String, Sendable, Equatable, CaseIterable {
    /// `smtp://host:587`, STARTTLS required; never falls back to plaintext.
    case starttls
    /// `smtps://host:465`, TLS from the first byte.
    case implicit
}

public struct SMTPConfig: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var tls: TLSMode
    public var connectTimeout: TimeInterval
    public var timeout: TimeInterval
    public var caFile: String?
    public var proxy: String?
    public var auth: OAuthCredentialConfig
}

/// Where the client secret lives. The value is read when needed and never kept in the configuration.
public enum SecretSource: Sendable, Equatable {
    case file(String)
    case environment(String)
    /// A systemd credential: the file of that name in `$CREDENTIALS_DIRECTORY` (`LoadCredential=` in the unit).
    case credential(String)

    public var description: String {
        switch self {
        case .file(let path): "file \(path)"
        case .environment(let name): "environment variable \(name)"
        case .credential(let name): "systemd credential \(name)"
        }
    }
}

/// The Exchange Online OAuth credential secretwatch sends with.
public struct OAuthCredentialConfig: Sendable, Equatable {
    public var name: String
    public var displayName: String?
    public var mailbox: String
    public var tenantId: String
    public var clientId: String
    /// A client secret, or a certificate and its key.
    public var authentication: ClientAuthentication
    /// When the credential expires: `secret_expires` for a secret, the certificate's notAfter for a certificate.
    public var secretExpires: Date
    public var tokenEndpoint: String
    public var scope: String

    public init(name: String, displayName: String?, mailbox: String, tenantId: String, clientId: String,
                authentication: ClientAuthentication, secretExpires: Date, tokenEndpoint: String, scope: String) {
        self.name = name
        self.displayName = displayName
        self.mailbox = mailbox
        self.tenantId = tenantId
        self.clientId = clientId
        self.authentication = authentication
        self.secretExpires = secretExpires
        self.tokenEndpoint = tokenEndpoint
        self.scope = scope
    }

    /// A credential with a client secret.
    public init(name: String, displayName: String?, mailbox: String, tenantId: String, clientId: String,
                secret: SecretSource, secretExpires: Date, tokenEndpoint: String, scope: String) {
        self.init(name: name, displayName: displayName, mailbox: mailbox, tenantId: tenantId, clientId: clientId,
                  authentication: .secret(secret), secretExpires: secretExpires, tokenEndpoint: tokenEndpoint, scope: scope)
    }

    /// The client secret's source; nil for a certificate credential.
    public var secret: SecretSource? { authentication.secret }

    /// The token endpoint with `{tenant}` filled in.
    public var resolvedTokenEndpoint: String {
        tokenEndpoint.replacingOccurrences(of: "{tenant}", with: tenantId)
    }

    public var credential: Credential {
        Credential(name: name, displayName: displayName, tenantId: tenantId, clientId: clientId,
                   mailbox: mailbox, expiresAt: secretExpires, hasSecret: true, type: authentication.type,
                   thumbprint: authentication.certificate?.thumbprint)
    }
}

/// A further credential watched for expiry; when it has a secret, its token endpoint is probed as well.
public struct WatchedCredentialConfig: Sendable, Equatable {
    public var name: String
    public var displayName: String?
    public var tenantId: String
    public var clientId: String
    /// `secret_expires`, or the certificate's notAfter for a certificate credential.
    public var secretExpires: Date
    /// A client secret or a certificate (then the token endpoint is probed); nil: watched for expiry only.
    public var authentication: ClientAuthentication?
    public var tokenEndpoint: String
    public var scope: String

    public init(name: String, displayName: String?, tenantId: String, clientId: String, secretExpires: Date,
                secret: SecretSource? = nil, tokenEndpoint: String = ConfigDefaults.tokenEndpoint,
                scope: String = ConfigDefaults.scope, certificate: CertificateCredentialConfig? = nil) {
        self.name = name
        self.displayName = displayName
        self.tenantId = tenantId
        self.clientId = clientId
        self.secretExpires = certificate?.notAfter ?? secretExpires
        self.authentication = certificate.map(ClientAuthentication.certificate) ?? secret.map(ClientAuthentication.secret)
        self.tokenEndpoint = tokenEndpoint
        self.scope = scope
    }

    /// The client secret's source; nil for a certificate credential or one watched for expiry only.
    public var secret: SecretSource? { authentication?.secret }

    public var resolvedTokenEndpoint: String {
        tokenEndpoint.replacingOccurrences(of: "{tenant}", with: tenantId)
    }

    public var credential: Credential {
        Credential(name: name, displayName: displayName, tenantId: tenantId, clientId: clientId,
                   mailbox: nil, expiresAt: secretExpires, hasSecret: authentication != nil,
                   type: authentication?.type ?? .secret, thumbprint: authentication?.certificate?.thumbprint)
    }
}

public struct NotificationsConfig: Sendable, Equatable {
    public var from: String
    public var to: [String]
    /// Whether token and mail failures (`token_acquisition_failing`, `mail_delivery_failing`) are e-mailed too.
    public var includeSystemAlarms: Bool
}

/// The `token:` section: how secretwatch talks to the token endpoint (docs/configuration.md, "token").
public struct TokenConfig: Sendable, Equatable {

    /// TCP (+ proxy) connect limit.
    public var connectTimeout: TimeInterval
    /// Whole-request limit (connect, TLS, answer).
    public var timeout: TimeInterval
    /// Extra trust anchors; nil = `smtp.ca_file`, else the system trust store.
    public var caFile: String?
    /// Proxy URL, or `direct`; nil = `smtp.proxy`, else `https_proxy` from the environment.
    public var proxy: String?
    /// Hosts that bypass the proxy (curl's `no_proxy` syntax); nil = `no_proxy` from the environment.
    public var noProxy: String?

    public init(connectTimeout: TimeInterval = ConfigDefaults.tokenConnectTimeout, timeout: TimeInterval = ConfigDefaults.tokenTimeout,
                caFile: String? = nil, proxy: String? = nil, noProxy: String? = nil) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
        self.proxy = proxy
        self.noProxy = noProxy
    }
}
