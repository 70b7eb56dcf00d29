import FoundationEssentials

/// Turns one tenant's Graph listing into watched credentials: every `passwordCredentials[]` entry becomes a
/// `secret`, every `keyCredentials[]` entry a `certificate`, each identified by (tenant, app id, key id) and named
/// `<app display name>/<credential display name or key id>`. Only apps the tenant's filter admits are kept; an
/// entry listed twice (an app and its enterprise app share nothing, but a listing may repeat itself) is kept once.
public enum DiscoveredCredentials {
    public static func from(_ applications: [GraphApplication], tenant: DiscoveryTenantConfig) -> [Credential] {
        kept(applications, tenant: tenant).credentials
    }

    /// The credentials kept, and the identities (`identity(appId:keyId:)`) of those the filters dropped.
    public static func kept(_ applications: [GraphApplication], tenant: DiscoveryTenantConfig) -> (credentials: [Credential], excluded: Set<String>) {
        var seen = Set<String>()
        var excluded = Set<String>()
        var credentials: [Credential] = []
        credentials.reserveCapacity(applications.count * 2)
        for app in applications {
            guard tenant.filter.admits(appId: app.appId, displayName: app.displayName ?? "", tags: app.tags) else {
                for keyId in app.passwordCredentials.map(\.keyId) + app.keyCredentials.map(\.keyId) {
                    excluded.insert(identity(appId: app.appId, keyId: keyId))
                }
                continue
            }
            let appName = clean(app.displayName.flatMap { $0.isEmpty ? nil : $0 } ?? app.appId)
            func add(_ keyId: String, _ display: String?, _ type: CredentialType, _ start: Date?, _ end: Date?) {
                guard seen.insert(identity(appId: app.appId, keyId: keyId)).inserted else { return }
                let label = clean(display.flatMap { $0.isEmpty ? nil : $0 } ?? keyId)
                credentials.append(Credential(name: "\(appName)/\(label)", displayName: nil,
                                              tenantId: tenant.tenantId, clientId: app.appId, mailbox: nil, expiresAt: end,
                                              hasSecret: false, source: .graph, type: type, keyId: keyId,
                                              discoveryTenant: tenant.name, appName: appName, startsAt: start))
            }
            for secret in app.passwordCredentials {
                add(secret.keyId, secret.displayName, .secret, secret.startDateTime, secret.endDateTime)
            }
            for key in app.keyCredentials {
                add(key.keyId, key.displayName, .certificate, key.startDateTime, key.endDateTime)
            }
        }
        return (credentials, excluded)
    }

    /// A credential's identity within its tenant.
    public static func identity(appId: String, keyId: String) -> String {
        "\(appId.lowercased())\u{1}\(keyId.lowercased())"
    }

    /// Graph's display names are anybody's text: control characters escaped, at most `maxNameLength` characters,
    /// so a name is one readable line in a log, an e-mail subject or a metric label.
    static func clean(_ text: String) -> String {
        let escaped = VisibleText.escaped(text)
        return escaped.count <= maxNameLength ? escaped : String(escaped.prefix(maxNameLength - 1)) + "…"
    }

    static let maxNameLength = 120
}
