import Foundation

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
        let alarmed = activeAlarms.contains { $0.kind == .clientSecretExpired }
        expiredPerIdentityProvider = alarmed && !(assessment?.expired ?? false)
        expired = alarmed || (assessment?.expired ?? false)
        daysLeft = expiredPerIdentityProvider ? 0 : assessment?.daysLeft
    }
}
