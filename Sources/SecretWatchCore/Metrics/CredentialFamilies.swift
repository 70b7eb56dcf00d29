internal import SecretWatchExposition

/// The two per-credential families, `secretwatch_credential_info` and
/// `secretwatch_client_secret_expiry_timestamp_seconds`: with many credentials they are nearly all of
/// `/metrics` (100,000 credentials: ~38 MB of text). They are rendered and compressed only when the watched
/// credentials change (start-up, reload), straight from the store's rows, and reused by every later render:
/// the credential list itself is not kept by the metrics, and a render after a counter changes costs the
/// small families only.
struct CredentialFamilies: Sendable {
    let info: DeflateSegment
    let expiry: DeflateSegment

    var segments: [DeflateSegment] { [info, expiry] }

    /// Renders from `each`, which calls its argument once per credential, in the order they should appear
    /// (by name: equal credentials render to equal bytes).
    static func render(plainLimit: Int = DeflateSegment.defaultPlainLimit,
                       _ each: ((Credential) -> Void) throws -> Void) throws -> CredentialFamilies {
        let c = MetricCatalog.self
        let infoBuilder = try SegmentBuilder(plainLimit: plainLimit)
        let expiryBuilder = try SegmentBuilder(plainLimit: plainLimit)
        var info = ExpositionWriter(sink: infoBuilder)
        var expiry = ExpositionWriter(sink: expiryBuilder)
        info.family(c.credentialInfo)
        expiry.family(c.secretExpiry)
        try each { credential in
            info.sample(c.credentialInfo, [credential.name, credential.displayName ?? "", credential.tenantId, credential.clientId,
                                           credential.hasSecret ? "true" : "false"], 1)
            if let expiresAt = credential.expiresAt {
                expiry.sample(c.secretExpiry, [credential.name, credential.tenantId, credential.clientId], expiresAt.timeIntervalSince1970)
            }
        }
        info.finish()
        expiry.finish()
        return CredentialFamilies(info: try infoBuilder.finish(), expiry: try expiryBuilder.finish())
    }

    /// Renders a list (sorted by name here).
    static func render(_ credentials: [Credential], plainLimit: Int = DeflateSegment.defaultPlainLimit) throws -> CredentialFamilies {
        try render(plainLimit: plainLimit) { emit in
            for credential in credentials.sorted(by: { $0.name < $1.name }) { emit(credential) }
        }
    }
}
