/// The alarm catalog (product.md). Raw values are stable: they are metric labels and API values.
public enum AlarmKind: String, Sendable, Codable, CaseIterable {
    case clientSecretExpiring = "client_secret_expiring"
    case clientSecretExpired = "client_secret_expired"
    case tokenAcquisitionFailing = "token_acquisition_failing"
    case mailDeliveryFailing = "mail_delivery_failing"
    case storeFailing = "store_failing"

    /// The title operators read in e-mails and listings.
    public var title: String {
        switch self {
        case .clientSecretExpiring: "SMTP OAuth client secret about to expire"
        case .clientSecretExpired: "SMTP OAuth client secret has expired"
        case .tokenAcquisitionFailing: "OAuth token acquisition failing"
        case .mailDeliveryFailing: "Mail delivery failing"
        case .storeFailing: "Database not accepting writes"
        }
    }

    /// System alarms concern secretwatch's own mail path and database; `notifications.include_system_alarms`
    /// decides whether they are e-mailed.
    public var isSystem: Bool {
        switch self {
        case .clientSecretExpiring, .clientSecretExpired: false
        case .tokenAcquisitionFailing, .mailDeliveryFailing, .storeFailing: true
        }
    }

    public var isExpiry: Bool { !isSystem }
}
