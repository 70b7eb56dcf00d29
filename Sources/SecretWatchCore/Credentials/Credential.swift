import FoundationEssentials

/// An Entra application credential whose client secret secretwatch watches.
public struct Credential: Sendable, Equatable, Codable {
    /// Short unique name, used as the metric label and in alarm e-mails.
    public var name: String
    public var displayName: String?
    public var tenantId: String
    public var clientId: String
    /// The mailbox it sends as (only for the SMTP credential).
    public var mailbox: String?
    /// When the client secret expires.
    public var expiresAt: Date?
    /// Whether secretwatch holds the secret, or the certificate's key (and so can probe the token endpoint).
    public var hasSecret: Bool
    public var source: CredentialSource
    public var type: CredentialType
    /// Graph's `keyId` of a discovered credential.
    public var keyId: String?
    /// The `discovery.tenants[]` entry that listed a discovered credential, or that a reader app reads.
    public var discoveryTenant: String?
    /// A discovered credential's app display name.
    public var appName: String?
    /// A discovered credential's `startDateTime`.
    public var startsAt: Date?
    /// A certificate credential's SHA-1 thumbprint (hex), as Entra shows it.
    public var thumbprint: String?
    /// When a newer secret of the same app was created that is not deployed yet (rotation in progress), as
    /// discovery found for a configured credential's secret in use.
    public var rotationPendingSince: Date? = nil

    public init(name: String, displayName: String?, tenantId: String, clientId: String, mailbox: String?,
                expiresAt: Date?, hasSecret: Bool, source: CredentialSource = .config, type: CredentialType = .secret,
                keyId: String? = nil, discoveryTenant: String? = nil, appName: String? = nil, startsAt: Date? = nil,
                thumbprint: String? = nil) {
        self.name = name
        self.displayName = displayName
        self.tenantId = tenantId
        self.clientId = clientId
        self.mailbox = mailbox
        self.expiresAt = expiresAt
        self.hasSecret = hasSecret
        self.source = source
        self.type = type
        self.keyId = keyId
        self.discoveryTenant = discoveryTenant
        self.appName = appName
        self.startsAt = startsAt
        self.thumbprint = thumbprint
    }

    /// The name shown to people: the display name when set, the name otherwise.
    public var label: String { displayName ?? name }
}

/// A credential as stored: its database id and whether the configuration (or Graph) still lists it.
/// `credential.expiresAt` is the expiry the alarms use: Graph's date of the secret in use when discovery found
/// it, the configured date otherwise (`configuredExpiresAt`).
public struct CredentialRecord: Sendable, Equatable {
    public var id: Int64
    public var credential: Credential
    public var watched: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// The date written in the configuration (configured credentials); for discovered ones, Graph's.
    public var configuredExpiresAt: Date? = nil
    /// What discovery found out about the secret a configured credential uses; nil when it was not compared.
    public var secretInUse: SecretInUse? = nil
    /// A discovered credential that a configured credential uses: that credential's name (the alarms are its).
    public var inUseBy: String? = nil
    /// Why a credential is no longer watched ("removed in Entra", "no longer in the configuration").
    public var removedReason: String? = nil

    public var name: String { credential.name }
}

/// What `status` and `/api/v1/credentials` say of a credential's expiry: the configured `secret_expires` assessed at
/// `now`, unless the identity provider has said the secret expired (AADSTS7000222 raises `client_secret_expired`
/// whatever the configured date): then it is expired with 0 days left, as the alarm says.
struct CredentialExpiry: Sendable, Equatable {
    var daysLeft: Int?
    var expired: Bool
    /// The configured date says it is not expired, the identity provider says it is.
    var expiredPerIdentityProvider: Bool

    init(_ credential: Credential, activeAlarms: [Alarm], policy: AlarmPolicy, now: Date) {
        let assessment = credential.expiresAt.map { policy.assess(expiresAt: $0, now: now) }
        let alarmed = activeAlarms.contains { $0.kind == .clientSecretExpired || $0.kind == .clientCertificateExpired }
        expiredPerIdentityProvider = alarmed && !(assessment?.expired ?? false)
        expired = alarmed || (assessment?.expired ?? false)
        daysLeft = expiredPerIdentityProvider ? 0 : assessment?.daysLeft
    }
}
