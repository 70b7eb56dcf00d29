import FoundationEssentials

/// One discovery of one tenant: a Graph token for its reader app (from the shared token cache), every
/// application Graph lists, the watched credentials they hold (after the tenant's filters), and — for each
/// configured credential of that tenant that carries a secret — which of its app's secrets is the one in use.
/// Secrets are read, compared by their first three characters and dropped here; nothing else of them leaves.
public struct TenantDiscovery: Sendable {
    public var tenant: DiscoveryTenantConfig
    public var graph: GraphEndpointSettings
    /// The credential whose token reads Graph, and the scope asked (its own, or Graph's for the SMTP app).
    public var reader: String
    public var readerScope: String?
    public var includeServicePrincipals: Bool
    /// Configured credentials of this tenant compared with Graph: those holding a secret (with where it is read
    /// from) and certificate credentials (with their certificate's thumbprint).
    public var secrets: [(name: String, clientId: String, proof: CredentialProof)]

    /// What the configuration asks of `tenant`; nil when the reader's token settings are missing (a credential
    /// without a secret cannot read Graph; validation prevents that).
    public init?(tenant: DiscoveryTenantConfig, config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(tenant: tenant, config: config, tokenSettings: TokenEndpointSettings.all(config: config, environment: environment))
    }

    /// The same, with every credential's token settings already resolved (`TokenEndpointSettings.all`): a pass over
    /// many tenants resolves them once, not once per tenant.
    public init?(tenant: DiscoveryTenantConfig, config: Config, tokenSettings all: [TokenEndpointSettings]) {
        let discovery = config.discovery!
        let reader = tenant.readerCredential(smtp: config.smtp.auth.name)
        guard let settings = all.first(where: { $0.credential == reader }) else { return nil }
        self.reader = reader
        readerScope = tenant.secret == .smtpCredential ? tenant.scope : nil
        self.tenant = tenant
        graph = GraphEndpointSettings(token: settings, baseURL: discovery.graphEndpoint, scope: tenant.scope)
        includeServicePrincipals = discovery.includeServicePrincipals
        let sameTenant = { (id: String) in id.equalsIgnoringCase(tenant.tenantId) }
        var secrets: [(String, String, CredentialProof)] = []
        if sameTenant(config.smtp.auth.tenantId) {
            secrets.append((config.smtp.auth.name, config.smtp.auth.clientId, CredentialProof(config.smtp.auth.authentication)))
        }
        for watched in config.credentials where sameTenant(watched.tenantId) {
            if let proof = watched.authentication.map(CredentialProof.init) { secrets.append((watched.name, watched.clientId, proof)) }
        }
        if case .source(let own) = tenant.secret { secrets.append((DiscoveryTenantConfig.readerName(tenant.name), tenant.clientId, .secret(own))) }
        self.secrets = secrets
    }

    /// Runs the discovery; never throws: every failure is classified into the outcome.
    public func run(tokens: TokenCache, startedAt: Date,
                    environment: [String: String] = ProcessInfo.processInfo.environment,
                    certificates: EndpointCertificates? = nil) async -> TenantDiscoveryOutcome {
        let monotonic = ContinuousClock.now
        func finish(_ result: Result<TenantDiscoveryOutcome.Found, TenantDiscoveryOutcome.Failure>, pages: Int) -> TenantDiscoveryOutcome {
            TenantDiscoveryOutcome(tenant: tenant.name, startedAt: startedAt, duration: (ContinuousClock.now - monotonic).timeInterval,
                                   pages: pages, result: result)
        }
        let token: AccessToken
        do {
            if let readerScope {
                token = try await tokens.token(for: reader, scope: readerScope)
            } else {
                token = try await tokens.token(for: reader)
            }
        } catch let failure as TokenFailure {
            return finish(.failure(.init(reason: failure.reason.rawValue, message: "the Graph token for \(reader) was refused: \(failure.message)",
                                         fix: failure.fix, detail: failure.description, retryAfter: failure.retryAfter)), pages: 0)
        } catch {
            return finish(.failure(.init(reason: TokenFailureReason.idpBadResponse.rawValue, message: "\(error)", fix: "", detail: nil,
                                         retryAfter: nil)), pages: 0)
        }
        let client = GraphClient(settings: graph, certificates: certificates)
        let listing = await client.listApplications(token: token, startedAt: startedAt)
        var pages = listing.pages
        guard var applications = listing.applications else {
            let f = listing.failure!
            return finish(.failure(.init(graph: f)), pages: pages)
        }
        if includeServicePrincipals {
            let principals = await client.listServicePrincipals(token: token, startedAt: startedAt)
            pages += principals.pages
            guard let more = principals.applications else { return finish(.failure(.init(graph: principals.failure!)), pages: pages) }
            applications += more
        }
        var inUse: [String: SecretInUse] = [:]
        for entry in secrets {
            switch entry.proof {
            case .secret(let source):
                // Unreadable now: the token-health step reports it; no verdict rather than a wrong one.
                guard let secret = try? SecretReader.read(source, environment: environment) else { continue }
                inUse[entry.name] = SecretInUseMatcher.match(secret: secret, clientId: entry.clientId, in: applications, now: startedAt)
            case .certificate(let thumbprint):
                inUse[entry.name] = SecretInUseMatcher.match(thumbprint: thumbprint, clientId: entry.clientId, in: applications, now: startedAt)
            }
        }
        let (credentials, excluded) = DiscoveredCredentials.kept(applications, tenant: tenant)
        return finish(.success(.init(applications: applications.count, credentials: credentials, excluded: excluded, inUse: inUse)),
                      pages: pages)
    }
}

/// What a configured credential is compared with Graph by: the secret it reads (its first three characters against
/// each secret's `hint`), or its certificate's SHA-1 thumbprint (against each certificate's `customKeyIdentifier`).
public enum CredentialProof: Sendable, Equatable {
    case secret(SecretSource)
    case certificate(thumbprint: String)

    init(_ authentication: ClientAuthentication) {
        switch authentication {
        case .secret(let source): self = .secret(source)
        case .certificate(let certificate): self = .certificate(thumbprint: certificate.thumbprint)
        }
    }
}

/// What one tenant's discovery produced.
public struct TenantDiscoveryOutcome: Sendable {
    public struct Found: Sendable {
        /// Applications (and enterprise apps) listed, before the filters.
        public var applications: Int
        /// The watched credentials they hold, after the filters.
        public var credentials: [Credential]
        /// The identities (`DiscoveredCredentials.identity`) of the credentials the filters dropped.
        public var excluded: Set<String> = []
        /// Configured credential name → what was found of the secret it uses.
        public var inUse: [String: SecretInUse]
    }

    public struct Failure: Error, Sendable {
        /// A Graph reason (`graph_permission_missing`, …) or a token reason (`invalid_client_secret`, …).
        public var reason: String
        public var message: String
        public var fix: String
        /// Evidence (HTTP status, Graph code, request ids), scrubbed.
        public var detail: String?
        public var retryAfter: TimeInterval?

        init(reason: String, message: String, fix: String, detail: String?, retryAfter: TimeInterval?) {
            self.reason = reason
            self.message = message
            self.fix = fix
            self.detail = detail
            self.retryAfter = retryAfter
        }

        /// The classifier's detail already carries the evidence (HTTP status, Graph's code, request ids).
        init(graph f: GraphFailure) {
            self.init(reason: f.reason.rawValue, message: f.message, fix: f.fix, detail: f.detail, retryAfter: f.retryAfter)
        }
    }

    public var tenant: String
    public var startedAt: Date
    public var duration: TimeInterval
    public var pages: Int
    public var result: Result<Found, Failure>

    /// The row for `discovery_runs`.
    public var run: DiscoveryRun {
        switch result {
        case .success(let found):
            return DiscoveryRun(tenant: tenant, startedAt: startedAt, duration: duration, outcome: .success,
                                applications: found.applications, credentials: found.credentials.count, pages: pages)
        case .failure(let f):
            return DiscoveryRun(tenant: tenant, startedAt: startedAt, duration: duration, outcome: .failure, reason: f.reason,
                                detail: "\(f.message); fix: \(f.fix)" + (f.detail.map { " — \($0)" } ?? ""), pages: pages)
        }
    }
}
