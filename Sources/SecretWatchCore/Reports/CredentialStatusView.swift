import Foundation

/// One credential in `/api/v1/credentials`: identity, expiry and days left, the last token attempt, the
/// last delivery (for the credential mail is sent with) and its active alarms.
struct CredentialStatusView: Encodable, Sendable {
    var name: String
    var displayName: String?
    var tenantId: String
    var clientId: String
    var mailbox: String?
    var hasSecret: Bool
    var expiresAt: Date?
    var daysLeft: Int?
    var expired: Bool
    var expiredPerIdentityProvider: Bool
    var lastTokenAttempt: TokenAttemptView?
    var lastDelivery: DeliveryView?
    var activeAlarms: [AlarmView]

    enum CodingKeys: String, CodingKey {
        case name, mailbox, expired
        case expiredPerIdentityProvider = "expired_per_identity_provider"
        case displayName = "display_name"
        case tenantId = "tenant_id"
        case clientId = "client_id"
        case hasSecret = "has_secret"
        case expiresAt = "expires_at"
        case daysLeft = "days_left"
        case lastTokenAttempt = "last_token_attempt"
        case lastDelivery = "last_delivery"
        case activeAlarms = "active_alarms"
    }

    /// Encodes absent values as null so that every credential has the same fields.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(tenantId, forKey: .tenantId)
        try c.encode(clientId, forKey: .clientId)
        try c.encode(mailbox, forKey: .mailbox)
        try c.encode(hasSecret, forKey: .hasSecret)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(daysLeft, forKey: .daysLeft)
        try c.encode(expired, forKey: .expired)
        try c.encode(expiredPerIdentityProvider, forKey: .expiredPerIdentityProvider)
        try c.encode(lastTokenAttempt, forKey: .lastTokenAttempt)
        try c.encode(lastDelivery, forKey: .lastDelivery)
        try c.encode(activeAlarms, forKey: .activeAlarms)
    }
}
