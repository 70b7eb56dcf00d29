import Foundation
@testable import SecretWatchCore

/// Discovery state for the metrics tests, made by the real pieces: the configured credentials (with the reader
/// credential of each discovery tenant) synchronised into the store, then `DiscoveryEvaluator.apply` with the
/// outcomes a `TenantDiscovery` returns, then the expiry evaluation that follows discovery in a pass.
extension TestServer {
    static let fabrikamTenant = "99999999-8888-4777-8666-555555555555"

    /// The configured credentials plus the readers of the tenants `contoso` (same tenant as the standard ones)
    /// and `fabrikam`.
    func discoveryConfigured(_ standard: [Credential], tenants: [String] = ["contoso", "fabrikam"]) -> [Credential] {
        standard + tenants.map { name in
            Credential(name: DiscoveryTenantConfig.readerName(name), displayName: "Graph reader of \(name)",
                       tenantId: name == "contoso" ? Self.tenant : Self.fabrikamTenant,
                       clientId: String(format: "aaaaaaaa-bbbb-4ccc-8ddd-%012d", name == "contoso" ? 7 : 8), mailbox: nil,
                       expiresAt: nil, hasSecret: true, discoveryTenant: name)
        }
    }

    func discovered(_ app: String, _ display: String, client: Int, keyId: String, type: CredentialType = .secret,
                    expiresInDays days: Double) -> Credential {
        Credential(name: "\(app)/\(display)", displayName: display, tenantId: Self.tenant,
                   clientId: String(format: "aaaaaaaa-bbbb-4ccc-8ddd-%012d", client), mailbox: nil,
                   expiresAt: clock.now().addingTimeInterval(days * 86400), hasSecret: false, source: .graph, type: type,
                   keyId: keyId, discoveryTenant: "contoso", appName: app, startsAt: clock.now().addingTimeInterval(-30 * 86400))
    }

    /// A successful discovery of `contoso`: the SMTP app's secret in use (Entra says 90 days, the configuration 100)
    /// with a newer one not deployed since 3 days, a certificate of another app, and delta's secret not in Entra.
    func contosoFound(smtpNewest: Bool = false, deltaFound: Bool = false) -> TenantDiscoveryOutcome.Found {
        let now = clock.now()
        var credentials = [
            discovered("Mailer", "smtp-2026", client: 6, keyId: "k-smtp-1", expiresInDays: 90),
            discovered("Payroll", "signing", client: 9, keyId: "k-cert-1", type: .certificate, expiresInDays: 365),
        ]
        if !smtpNewest { credentials.append(discovered("Mailer", "smtp-2027", client: 6, keyId: "k-smtp-2", expiresInDays: 730)) }
        let smtp = SecretInUse(state: .matched, keyId: "k-smtp-1", expiresAt: now.addingTimeInterval(90 * 86400),
                               newerSecretCreatedAt: smtpNewest ? nil : now.addingTimeInterval(-3 * 86400), decidedAt: now)
        let delta = deltaFound
            ? SecretInUse(state: .ambiguous, decidedAt: now)
            : SecretInUse(state: .notInEntra, decidedAt: now)
        return .init(applications: 3, credentials: credentials, inUse: ["smtp": smtp, "delta": delta])
    }

    func discoveryFailure(_ tenant: String, reason: String, duration: TimeInterval = 0.5) -> TenantDiscoveryOutcome {
        TenantDiscoveryOutcome(tenant: tenant, startedAt: clock.now(), duration: duration, pages: 0,
                               result: .failure(.init(reason: reason, message: "Graph refused the listing", fix: "grant Application.Read.All",
                                                      detail: "HTTP 403", retryAfter: nil)))
    }

    func discoverySuccess(_ found: TenantDiscoveryOutcome.Found, duration: TimeInterval = 2.5) -> TenantDiscoveryOutcome {
        TenantDiscoveryOutcome(tenant: "contoso", startedAt: clock.now(), duration: duration, pages: 1, result: .success(found))
    }

    /// Applies `outcome` as the discovery step does, then the expiry evaluation of the same pass, then the
    /// metrics refresh the pass ends with.
    func discover(_ outcome: TenantDiscoveryOutcome) throws {
        try DiscoveryEvaluator(engine: engine).apply(outcome, now: clock.now())
        try ExpiryEvaluator(engine: engine, policy: policy).evaluate(now: clock.now())
        metrics.refreshFromStore()
        metrics.flush()
    }

    /// The standard fixture, then: contoso fails once (permission missing) and succeeds 10 minutes later;
    /// fabrikam fails (invalid secret) and has never succeeded.
    @discardableResult
    func seedDiscovery() throws -> [Credential] {
        let configured = discoveryConfigured(try seedStandard())
        try store.syncCredentials(configured, now: clock.now())
        try discover(discoveryFailure("contoso", reason: "graph_permission_missing"))
        clock.advance(by: 600)
        try discover(discoverySuccess(contosoFound()))
        try discover(discoveryFailure("fabrikam", reason: "invalid_client_secret", duration: 0.25))
        return configured
    }
}
