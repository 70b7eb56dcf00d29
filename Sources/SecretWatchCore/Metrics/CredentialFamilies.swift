import FoundationEssentials
internal import SecretWatchExposition

/// The per-credential families. `secretwatch_credential_info` and
/// `secretwatch_client_secret_expiry_timestamp_seconds` hold one series per watched credential (configured or
/// discovered): with many credentials they are nearly all of `/metrics` (100,000 credentials: ~38 MB of text).
/// The comparison with Entra (`secretwatch_credential_secret_in_use`, `…_entra_expiry_…`, rotation pending) exists
/// only for configured credentials discovery compared, a handful. All are rendered and compressed only when the
/// credentials change (start-up, reload, a discovery), straight from the store's rows, and reused by every later
/// render: the credential list itself is not kept by the metrics, and a render after a counter changes costs the
/// small families only.
///
/// A discovered credential that a configured one uses (`in_use_by`) is exported like any other, with its own
/// name, `source="graph"` and `in_use_by` naming the configured credential on its info series: the alert rules
/// leave it out (`unless on (credential) secretwatch_credential_info{in_use_by!=""}`), because its expiry alarms
/// are the configured credential's, whose expiry series already carries Entra's date.
struct CredentialFamilies: Sendable {
    let info: DeflateSegment
    let expiry: DeflateSegment
    let entra: DeflateSegment
    /// The discovery tenants configured now (each has a watched reader credential `discovery:<name>`): the
    /// tenants the discovery families are exported for.
    let discoveryTenants: Set<String>

    var segments: [DeflateSegment] { [info, expiry, entra] }

    /// What the comparison families need of one configured credential.
    private struct Compared {
        var name: String
        var configured: Date?
        var inUse: SecretInUse
    }

    /// Renders from `each`, which calls its argument once per watched credential, in the order they should appear
    /// (by name: equal credentials render to equal bytes).
    static func render(plainLimit: Int = DeflateSegment.defaultPlainLimit,
                       _ each: ((CredentialRecord) -> Void) throws -> Void) throws -> CredentialFamilies {
        let c = MetricCatalog.self
        let infoBuilder = try SegmentBuilder(plainLimit: plainLimit)
        let expiryBuilder = try SegmentBuilder(plainLimit: plainLimit)
        var info = ExpositionWriter(sink: infoBuilder)
        var expiry = ExpositionWriter(sink: expiryBuilder)
        var compared: [Compared] = []
        var tenants = Set<String>()
        info.family(c.credentialInfo)
        expiry.family(c.secretExpiry)
        try each { record in
            let credential = record.credential
            let type = credential.type.rawValue, source = credential.source.rawValue
            info.sample(c.credentialInfo, [credential.name, credential.displayName ?? "", credential.tenantId, credential.clientId,
                                           credential.hasSecret ? "true" : "false", type, source, record.inUseBy ?? "",
                                           credential.thumbprint ?? ""], 1)
            if let expiresAt = credential.expiresAt {
                expiry.sample(c.secretExpiry, [credential.name, credential.tenantId, credential.clientId, type, source],
                              expiresAt.timeIntervalSince1970)
            }
            guard credential.source == .config else { return }
            if let inUse = record.secretInUse {
                compared.append(Compared(name: credential.name, configured: record.configuredExpiresAt, inUse: inUse))
            }
            if let tenant = credential.discoveryTenant, credential.name == DiscoveryTenantConfig.readerName(tenant) {
                tenants.insert(tenant)
            }
        }
        info.finish()
        expiry.finish()
        let entra = try DeflateSegment.render(plainLimit: plainLimit) { w in renderComparison(compared, into: &w) }
        return CredentialFamilies(info: try infoBuilder.finish(), expiry: try expiryBuilder.finish(), entra: entra,
                                  discoveryTenants: tenants)
    }

    /// Renders a list (sorted by name here).
    static func render(_ records: [CredentialRecord], plainLimit: Int = DeflateSegment.defaultPlainLimit) throws -> CredentialFamilies {
        try render(plainLimit: plainLimit) { emit in
            for record in records.sorted(by: { $0.name < $1.name }) { emit(record) }
        }
    }

    /// The comparison with Entra of the configured credentials discovery compared, one family after the other.
    private static func renderComparison(_ compared: [Compared], into w: inout ExpositionWriter) {
        let c = MetricCatalog.self
        w.family(c.configuredExpiry)
        for row in compared {
            if let configured = row.configured { w.sample(c.configuredExpiry, [row.name], configured.timeIntervalSince1970) }
        }
        w.family(c.entraExpiry)
        for row in compared where row.inUse.state == .matched {
            if let entra = row.inUse.expiresAt { w.sample(c.entraExpiry, [row.name], entra.timeIntervalSince1970) }
        }
        w.family(c.secretInUse)
        for row in compared {
            for state in SecretInUse.State.allCases {
                w.sample(c.secretInUse, [row.name, state.rawValue], row.inUse.state == state ? 1 : 0)
            }
        }
        w.family(c.rotationPending)
        for row in compared {
            w.sample(c.rotationPending, [row.name], row.inUse.rotationInProgress ? 1 : 0)
        }
        w.family(c.rotationPendingSince)
        for row in compared where row.inUse.rotationInProgress {
            if let since = row.inUse.newerSecretCreatedAt { w.sample(c.rotationPendingSince, [row.name], since.timeIntervalSince1970) }
        }
        w.finish()
    }
}
