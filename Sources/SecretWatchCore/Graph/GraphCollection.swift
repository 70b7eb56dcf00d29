import FoundationEssentials

/// What a Graph listing reads: the tenant's app registrations (`applications`) or its enterprise apps
/// (`servicePrincipals`, where SAML signing certificates and the secrets of apps from other tenants live). Both
/// are listed the same way, with the same properties, paging and bounds.
public enum GraphCollection: String, Sendable, Equatable, CaseIterable {
    case applications
    case servicePrincipals

    /// The path below the Graph base URL.
    public var path: String { "/v1.0/\(rawValue)" }

    /// The properties listed (`$select`): nothing else of an app is read.
    public var select: String { "id,appId,displayName,passwordCredentials,keyCredentials,tags" }

    /// How failures name it: "applications", "service principals".
    public var displayName: String {
        switch self {
        case .applications: "applications"
        case .servicePrincipals: "service principals"
        }
    }
}
