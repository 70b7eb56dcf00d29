import FoundationEssentials

/// The optional `discovery:` section: which Entra tenants are read through Microsoft Graph, with which app, how
/// often, and which applications are kept (docs/discovery.md, docs/configuration.md "discovery").
public struct DiscoveryConfig: Sendable, Equatable {
    /// Time between two discovery passes.
    public var interval: TimeInterval
    /// Microsoft Graph's base URL without the version (`https://graph.microsoft.com`, a national cloud's, a
    /// stand-in's); no trailing slash.
    public var graphEndpoint: String
    /// Whether enterprise apps (`servicePrincipals`) are read too, not only app registrations.
    public var includeServicePrincipals: Bool
    /// One entry per tenant (or per reader app and filter set), at most `ConfigBounds.maxDiscoveryTenants`.
    public var tenants: [DiscoveryTenantConfig]

    public init(interval: TimeInterval = ConfigDefaults.discoveryInterval, graphEndpoint: String = ConfigDefaults.graphEndpoint,
                includeServicePrincipals: Bool = ConfigDefaults.discoveryIncludeServicePrincipals,
                tenants: [DiscoveryTenantConfig]) {
        self.interval = interval
        self.graphEndpoint = graphEndpoint
        self.includeServicePrincipals = includeServicePrincipals
        self.tenants = tenants
    }
}

/// Where a discovery tenant's reader app gets its secret.
public enum DiscoverySecret: Sendable, Equatable {
    /// A secret of its own, from a file or a variable (as credentials take it).
    case source(SecretSource)
    /// The SMTP app (`smtp.auth`) reads Graph itself, with the SMTP secret.
    case smtpCredential
}

/// One `discovery.tenants[]` entry: the app that reads the tenant's applications, and the filters.
public struct DiscoveryTenantConfig: Sendable, Equatable {
    /// Unique among the tenants; defaults to the tenant id.
    public var name: String
    public var tenantId: String
    /// The reader app's Application (client) ID.
    public var clientId: String
    public var secret: DiscoverySecret
    /// Scope of the Graph token request (ends in `/.default`).
    public var scope: String
    /// Token endpoint, `{tenant}` not yet filled in.
    public var tokenEndpoint: String
    public var filter: DiscoveryFilter

    public init(name: String, tenantId: String, clientId: String, secret: DiscoverySecret,
                scope: String = ConfigDefaults.graphScope, tokenEndpoint: String = ConfigDefaults.tokenEndpoint,
                filter: DiscoveryFilter = DiscoveryFilter()) {
        self.name = name
        self.tenantId = tenantId
        self.clientId = clientId
        self.secret = secret
        self.scope = scope
        self.tokenEndpoint = tokenEndpoint
        self.filter = filter
    }

    /// The token endpoint with `{tenant}` filled in.
    public var resolvedTokenEndpoint: String {
        tokenEndpoint.replacingEvery("{tenant}", with: tenantId)
    }

    /// The name of the credential that stands for the tenant's reader app (its token attempts, the secret it
    /// reads with, the `discovery_failing` alarm): `discovery:<name>`, which no configured name can take (a colon
    /// is not allowed in them).
    public static func readerName(_ tenant: String) -> String { "discovery:\(tenant)" }

    /// The credential that reads this tenant: the SMTP one with `use_smtp_credential`, else the reader's own.
    public func readerCredential(smtp: String) -> String {
        secret == .smtpCredential ? smtp : Self.readerName(name)
    }
}
