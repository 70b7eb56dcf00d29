import FoundationEssentials
internal import SecretWatchYAML

/// The `discovery:` section: the Graph endpoint and interval, and each tenant's reader app, secret and filters.
extension ConfigReader {
    func readDiscovery(_ obj: YAMLObject?, smtp: OAuthCredentialConfig?) -> DiscoveryConfig? {
        guard let obj else { return nil }
        defer { obj.finish() }
        let interval = obj.duration("interval") ?? ConfigDefaults.discoveryInterval
        let endpoint = readGraphEndpoint(obj)
        let servicePrincipals = obj.bool("include_service_principals") ?? ConfigDefaults.discoveryIncludeServicePrincipals
        let field = obj.fieldPath("tenants")
        guard let list = obj.list("tenants") else {
            if obj.node("tenants") == nil { obj.missing("tenants") }
            return nil
        }
        guard !list.isEmpty else {
            problems.error(field, "needs at least one tenant")
            return nil
        }
        guard list.count <= ConfigBounds.maxDiscoveryTenants else {
            problems.error(field, "lists \(list.count) tenants; at most \(ConfigBounds.maxDiscoveryTenants) are allowed (run another secretwatch, with a database of its own, for the rest)")
            return nil
        }
        var names: [String: String] = [:]
        var tenants: [DiscoveryTenantConfig] = []
        for (index, node) in list.enumerated() {
            guard let entry = YAMLObject(node, path: "\(field)[\(index)]", problems: problems) else { continue }
            guard let tenant = readDiscoveryTenant(entry, graphEndpoint: endpoint, smtp: smtp) else { continue }
            if let other = names[tenant.name] {
                if entry.has("name") {
                    problems.error(entry.fieldPath("name"), "\"\(tenant.name)\" is already used by \(other)")
                } else {
                    problems.error(entry.fieldPath("tenant_id"), "\"\(tenant.name)\" is already the name of \(other) (a tenant's name defaults to its tenant_id: give one of the two a name)")
                }
                continue
            }
            names[tenant.name] = entry.path
            tenants.append(tenant)
        }
        return DiscoveryConfig(interval: interval, graphEndpoint: endpoint, includeServicePrincipals: servicePrincipals,
                               tenants: tenants)
    }

    /// `graph_endpoint`: an https base URL without user, query, fragment or API version; no trailing slash.
    func readGraphEndpoint(_ obj: YAMLObject) -> String {
        guard let text = obj.string("graph_endpoint") else { return ConfigDefaults.graphEndpoint }
        let field = obj.fieldPath("graph_endpoint")
        guard Validators.httpsURL(text), let url = URL(string: text) else {
            problems.error(field, "\"\(Redactor.scrubURLCredentials(text))\" is not an https:// URL (Microsoft Graph is reached over TLS only)")
            return ConfigDefaults.graphEndpoint
        }
        guard url.user == nil, url.password == nil, url.query == nil, url.fragment == nil, !text.contains("{tenant}") else {
            problems.error(field, "\"\(Redactor.scrubURLCredentials(text))\" must be Graph's base URL alone, without user, query or fragment (e.g. \(ConfigDefaults.graphEndpoint))")
            return ConfigDefaults.graphEndpoint
        }
        var endpoint = text
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        if let version = ["/v1.0", "/beta"].first(where: { endpoint.lowercased().hasSuffix($0) }) {
            problems.error(field, "\"\(text)\" names the API version \(version.dropFirst()): give the base URL (e.g. \(ConfigDefaults.graphEndpoint)); secretwatch adds /v1.0 itself")
            return ConfigDefaults.graphEndpoint
        }
        return endpoint
    }

    func readDiscoveryTenant(_ obj: YAMLObject, graphEndpoint: String, smtp: OAuthCredentialConfig?) -> DiscoveryTenantConfig? {
        defer { obj.finish() }
        let useSMTP = obj.bool("use_smtp_credential") ?? false
        let secret: DiscoverySecret?
        let tenant: String?
        let client: String?
        let ownSecret = Self.secretSourceKeys.contains(where: obj.has) || obj.has("client_secret")
        if useSMTP {
            if ownSecret {
                problems.error(obj.path, "set either use_smtp_credential: true or a secret of its own (client_secret_file / client_secret_credential / client_secret_env), not both")
                _ = readSecretSource(obj, required: false)
            }
            tenant = obj.has("tenant_id") ? readTenant(obj) : smtp?.tenantId
            client = obj.has("client_id") ? readClientId(obj) : smtp?.clientId
            secret = ownSecret ? nil : .smtpCredential
            if let smtp {
                sameAsSMTP(obj, "tenant_id", tenant, smtp.tenantId)
                sameAsSMTP(obj, "client_id", client, smtp.clientId)
            }
        } else {
            tenant = readTenant(obj)
            client = readClientId(obj)
            if !ownSecret {
                problems.error(obj.path, "a client secret is required: set client_secret_file (a file with mode 0600), client_secret_credential, client_secret_env, or use_smtp_credential: true to read Graph with the SMTP app")
            }
            secret = ownSecret ? readSecretSource(obj).map(DiscoverySecret.source) : nil
        }
        // Without a name of its own, an entry is named by its tenant id.
        let name = obj.has("name") ? readName(obj, default: nil) : tenant
        let defaultEndpoint = useSMTP ? smtp?.tokenEndpoint ?? ConfigDefaults.tokenEndpoint : ConfigDefaults.tokenEndpoint
        let (endpoint, scope) = readEndpointAndScope(obj, defaultEndpoint: defaultEndpoint,
                                                     defaultScope: ConfigDefaults.graphScope(for: graphEndpoint))
        if useSMTP, let smtp, obj.has("token_endpoint"), Validators.httpsURL(endpoint) {
            // The SMTP app's Graph token comes from the SMTP app's own token endpoint.
            sameAsSMTP(obj, "token_endpoint", endpoint, smtp.tokenEndpoint)
        }
        let filter = readDiscoveryFilter(obj)
        guard let name, let tenant, let client, let secret, let filter else { return nil }
        return DiscoveryTenantConfig(name: name, tenantId: tenant, clientId: client, secret: secret, scope: scope,
                                     tokenEndpoint: endpoint, filter: filter)
    }

    /// With `use_smtp_credential: true`, a `tenant_id` or `client_id` that is set must be the SMTP app's: its
    /// secret signs in as that app in that tenant only.
    private func sameAsSMTP(_ obj: YAMLObject, _ key: String, _ value: String?, _ smtpValue: String) {
        guard let value, value != smtpValue else { return }
        problems.error(obj.fieldPath(key), "\"\(value)\" is not smtp.auth.\(key) (\(smtpValue)): with use_smtp_credential: true the SMTP app reads Graph, so leave \(key) out or set the SMTP app's")
    }
}
