import FoundationEssentials

public enum AlarmState: String, Sendable, Codable, CaseIterable {
    case active
    case cleared
}

/// One alarm: a (kind, credential) problem from the moment it is raised until it is cleared.
public struct Alarm: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: AlarmKind
    public var credentialId: Int64
    public var credentialName: String
    public var state: AlarmState
    public var severity: Severity
    /// For `client_secret_expiring`: the threshold (days) last crossed.
    public var thresholdDays: Int?
    /// For expiry alarms: the expiry date the alarm is about (a different date means the secret was rotated).
    public var expiresAt: Date?
    /// Classified failure reason (token and mail alarms, or an identity provider's verdict).
    public var reason: String?
    public var summary: String
    public var raisedAt: Date
    public var updatedAt: Date
    public var clearedAt: Date?
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var acknowledgeComment: String?
    public var notifiedAt: Date?
    public var notifyCount: Int

    public var isActive: Bool { state == .active }
    public var isAcknowledged: Bool { acknowledgedAt != nil }
}

public enum AlarmEventType: String, Sendable, Codable, CaseIterable {
    case raised
    case escalated
    case updated
    case notified
    case renotified
    case acknowledged
    case cleared
}

/// One transition in an alarm's life; the history is the ordered list of these.
public struct AlarmEvent: Sendable, Equatable, Codable {
    public var id: Int64
    public var alarmId: Int64
    public var at: Date
    public var type: AlarmEventType
    public var severity: Severity?
    public var detail: String
}

/// Record ids (alarm ids, page cursors) as people and programs write them: the canonical decimal form only
/// (`1`, `42`), never `+1`, `01`, `0` or a number beyond the store's 64-bit ids, so one record has one spelling
/// in the CLI, the API and logs.
public enum RecordID {
    public static func parse(_ text: String) -> Int64? {
        let bytes = text.utf8
        guard let first = bytes.first, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(first), bytes.count <= 19,
              bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(text)
    }
}

/// The alarm catalog (product.md). Raw values are stable: they are metric labels and API values.
public enum AlarmKind: String, Sendable, Codable, CaseIterable {
    case clientSecretExpiring = "client_secret_expiring"
    case clientSecretExpired = "client_secret_expired"
    /// A certificate credential's certificate is within a threshold of its notAfter (Entra's `endDateTime`).
    case clientCertificateExpiring = "client_certificate_expiring"
    case clientCertificateExpired = "client_certificate_expired"
    case tokenAcquisitionFailing = "token_acquisition_failing"
    case mailDeliveryFailing = "mail_delivery_failing"
    case storeFailing = "store_failing"
    /// The configured `secret_expires` differs from Graph's `endDateTime` of the secret in use.
    case expiryMismatch = "expiry_mismatch"
    /// No secret of the app in Entra has the hint of the secret in use: it was deleted (or is another app's).
    case secretNotInEntra = "secret_not_in_entra"
    /// Reading a tenant's applications from Microsoft Graph keeps failing (the last known credentials are kept).
    case discoveryFailing = "discovery_failing"
    /// A certificate an endpoint presented (token endpoint, Graph, SMTP server, or a TLS-inspecting proxy in their
    /// place) or one of a configured `ca_file` is within a threshold of its notAfter, or past it.
    case endpointCertificateExpiring = "endpoint_certificate_expiring"

    /// The title operators read in e-mails and listings.
    public var title: String {
        switch self {
        case .clientSecretExpiring: "SMTP OAuth client secret about to expire"
        case .clientSecretExpired: "SMTP OAuth client secret has expired"
        case .clientCertificateExpiring: "OAuth client certificate about to expire"
        case .clientCertificateExpired: "OAuth client certificate has expired"
        case .tokenAcquisitionFailing: "OAuth token acquisition failing"
        case .mailDeliveryFailing: "Mail delivery failing"
        case .storeFailing: "Database not accepting writes"
        case .expiryMismatch: "Configured secret expiry differs from Entra"
        case .secretNotInEntra: "Secret in use not found in Entra"
        case .discoveryFailing: "Discovery through Microsoft Graph failing"
        case .endpointCertificateExpiring: "TLS certificate of an endpoint about to expire"
        }
    }

    /// System alarms concern secretwatch's own mail path, database and discovery;
    /// `notifications.include_system_alarms` decides whether they are e-mailed.
    public var isSystem: Bool {
        switch self {
        case .clientSecretExpiring, .clientSecretExpired, .clientCertificateExpiring, .clientCertificateExpired,
             .expiryMismatch, .secretNotInEntra, .endpointCertificateExpiring: false
        case .tokenAcquisitionFailing, .mailDeliveryFailing, .storeFailing, .discoveryFailing: true
        }
    }

    /// The threshold alarms of a credential's expiry (secret or certificate).
    public var isExpiry: Bool {
        switch self {
        case .clientSecretExpiring, .clientSecretExpired, .clientCertificateExpiring, .clientCertificateExpired: true
        default: false
        }
    }

    /// The "about to expire" and "has expired" kinds of a credential of `type`.
    public static func expiry(of type: CredentialType) -> (expiring: AlarmKind, expired: AlarmKind) {
        type == .certificate ? (.clientCertificateExpiring, .clientCertificateExpired) : (.clientSecretExpiring, .clientSecretExpired)
    }
}

/// Alarm severities, in increasing order.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case warning
    case major
    case critical

    private var rank: Int {
        switch self {
        case .warning: 0
        case .major: 1
        case .critical: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Which alarms a listing wants: newest first, `limit` at a time, continuing below `beforeId`.
public struct AlarmFilter: Sendable, Equatable {
    public enum StateFilter: String, Sendable, CaseIterable { case active, cleared, all }

    public var state: StateFilter = .all
    public var kind: AlarmKind?
    public var credential: String?
    /// Only alarms raised at or after this time.
    public var since: Date?
    /// Only alarms raised before this time.
    public var until: Date?
    public var limit: Int = 50
    /// Cursor: only alarms with a smaller id (the last id of the previous page).
    public var beforeId: Int64?

    public init(state: StateFilter = .all, kind: AlarmKind? = nil, credential: String? = nil, since: Date? = nil,
                until: Date? = nil, limit: Int = 50, beforeId: Int64? = nil) {
        self.state = state
        self.kind = kind
        self.credential = credential
        self.since = since
        self.until = until
        self.limit = limit
        self.beforeId = beforeId
    }
}

/// A change in an alarm's life, handed to observers inside the transaction that made it (so that, for
/// example, the alarm e-mail is queued atomically with the alarm change).
public struct AlarmTransition: Sendable {
    public var type: AlarmEventType
    /// The alarm after the change.
    public var alarm: Alarm
    public var credential: Credential
    /// The severity before the change (escalations).
    public var previousSeverity: Severity?
    public var detail: String
}

public protocol AlarmTransitionObserver: Sendable {
    /// Called inside the transaction; throwing rolls the alarm change back.
    func alarmDidTransition(_ transition: AlarmTransition, tx: StoreTransaction) throws
}
