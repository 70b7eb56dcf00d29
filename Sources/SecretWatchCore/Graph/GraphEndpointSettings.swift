import FoundationEssentials

/// Everything one tenant's Graph listing needs: where Graph is, the scope of its token, and the bounds. The
/// connection settings (timeouts, proxy, CA file) come from the token settings of the app that reads Graph, so
/// Graph and the token endpoint are reached the same way.
public struct GraphEndpointSettings: Sendable, Equatable {
    /// The credential (app) whose token reads Graph; its token settings name it.
    public var credential: String
    public var tenantId: String
    public var clientId: String
    /// `https://graph.microsoft.com` (national clouds: `https://graph.microsoft.us`,
    /// `https://microsoftgraph.chinacloudapi.cn`), without a path.
    public var baseURL: String
    /// The token scope for `baseURL`: `<baseURL>/.default`.
    public var scope: String
    public var connectTimeout: TimeInterval
    /// Per page.
    public var timeout: TimeInterval
    public var caFile: String?
    public var proxy: ProxyChoice
    /// `$top`: 1…999.
    public var pageSize: Int
    /// Pages followed at most; a further `@odata.nextLink` is `graph_paging_unbounded`.
    public var maxPages: Int
    /// One page's body at most (`graph_response_too_large`).
    public var maxPageBytes: Int
    /// All pages' bodies together at most (`graph_response_too_large`).
    public var maxTotalBytes: Int

    public static let defaultBaseURL = ConfigDefaults.graphEndpoint
    public static let defaultScope = ConfigDefaults.graphScope

    public init(credential: String, tenantId: String, clientId: String, baseURL: String = GraphEndpointSettings.defaultBaseURL,
                scope: String = GraphEndpointSettings.defaultScope, connectTimeout: TimeInterval = ConfigDefaults.tokenConnectTimeout,
                timeout: TimeInterval = ConfigDefaults.graphTimeout, caFile: String? = nil, proxy: ProxyChoice = .direct,
                pageSize: Int = ConfigDefaults.graphPageSize, maxPages: Int = ConfigDefaults.graphMaxPages,
                maxPageBytes: Int = ConfigDefaults.graphMaxPageBytes, maxTotalBytes: Int = ConfigDefaults.graphMaxTotalBytes) {
        self.credential = credential
        self.tenantId = tenantId
        self.clientId = clientId
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.scope = scope
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
        self.proxy = proxy
        self.pageSize = pageSize
        self.maxPages = maxPages
        self.maxPageBytes = maxPageBytes
        self.maxTotalBytes = maxTotalBytes
    }

    /// Graph reached like the token endpoint of `token` (its credential, tenant, client, connect timeout, CA
    /// file and proxy).
    public init(token: TokenEndpointSettings, baseURL: String = GraphEndpointSettings.defaultBaseURL,
                scope: String = GraphEndpointSettings.defaultScope) {
        self.init(credential: token.credential, tenantId: token.tenantId, clientId: token.clientId, baseURL: baseURL,
                  scope: scope, connectTimeout: token.connectTimeout, caFile: token.caFile, proxy: token.proxy)
    }

    /// The first page of a collection: `<base>/v1.0/<collection>?$select=…&$top=…`.
    public func firstPageURL(of collection: GraphCollection) -> String {
        "\(baseURL)\(collection.path)?$select=\(collection.select)&$top=\(pageSize)"
    }

    /// The first page of the app registrations: `<base>/v1.0/applications?$select=…&$top=…`.
    public var applicationsURL: String { firstPageURL(of: .applications) }

    /// The first page of the enterprise apps: `<base>/v1.0/servicePrincipals?$select=…&$top=…`.
    public var servicePrincipalsURL: String { firstPageURL(of: .servicePrincipals) }

    /// Scheme, host and port of `baseURL`: a next page is followed only there (the bearer token goes nowhere else).
    var origin: Origin? { Origin(baseURL) }

    struct Origin: Equatable {
        var scheme: String
        var host: String
        var port: Int

        init?(_ url: String) {
            guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), let host = c.host?.lowercased(),
                  !host.isEmpty else { return nil }
            self.scheme = scheme
            self.host = host
            port = c.port ?? (scheme == "https" ? 443 : 80)
        }
    }
}
