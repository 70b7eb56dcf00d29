import Foundation
internal import SecretWatchHTTPServer

/// `/api/v1/credentials` and `/api/v1/deliveries`.
extension APIRouter {
    func credentials() throws -> HTTPResponse {
        let now = clock.now()
        let records = try store.credentials()
        let lastAttempts = try store.lastTokenAttempts()
        let lastDelivery = try store.deliveries(limit: 1).first
        let active = Dictionary(grouping: try store.activeAlarms(), by: \.credentialId)
        let views = records.map { record -> CredentialStatusView in
            let c = record.credential
            let alarms = active[record.id] ?? []
            let expiry = CredentialExpiry(c, activeAlarms: alarms, policy: policy, now: now)
            return CredentialStatusView(
                name: c.name, displayName: c.displayName, tenantId: c.tenantId, clientId: c.clientId,
                mailbox: c.mailbox, hasSecret: c.hasSecret, expiresAt: c.expiresAt, daysLeft: expiry.daysLeft,
                expired: expiry.expired, expiredPerIdentityProvider: expiry.expiredPerIdentityProvider,
                lastTokenAttempt: lastAttempts[c.name].map(TokenAttemptView.init),
                // Mail goes out with the credential that has a mailbox (the SMTP one).
                lastDelivery: c.mailbox == nil ? nil : lastDelivery.map(DeliveryView.init),
                activeAlarms: alarms.map { AlarmView($0) })
        }
        struct Answer: Encodable {
            var generatedAt: Date
            var credentials: [CredentialStatusView]
            enum CodingKeys: String, CodingKey {
                case credentials
                case generatedAt = "generated_at"
            }
        }
        return .json(Answer(generatedAt: now, credentials: views))
    }

    func deliveries(limit: Int, before: Int64?) throws -> HTTPResponse {
        let fetched = try store.deliveries(limit: limit + 1, beforeId: before).map(DeliveryView.init)
        return .json(PageView(itemsKey: "deliveries", fetched: fetched, limit: limit, id: \.id))
    }
}
