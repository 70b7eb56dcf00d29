#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One webhook notification: Alertmanager's webhook payload (version 4) or Grafana's webhook contact point
/// payload (version 1, a superset), validated (`parse`). What secretwatch turns into one e-mail.
public struct RelayNotification: Sendable, Equatable {
    public enum Status: String, Sendable { case firing, resolved }

    /// "4" (Alertmanager) or "1" (Grafana).
    public var version: String
    public var status: Status
    /// The sender's receiver name (informational; secretwatch routes by the URL's receiver).
    public var receiver: String
    public var groupKey: String
    /// Alerts the sender left out (Alertmanager's `max_alerts`).
    public var truncatedAlerts: Int
    /// Sorted by name.
    public var groupLabels: [(String, String)]
    /// Sorted by name.
    public var commonLabels: [(String, String)]
    /// Sorted by name.
    public var commonAnnotations: [(String, String)]
    /// Empty when the sender gave none.
    public var externalURL: String
    /// At least one, at most `RelayPayloadLimits.alerts`.
    public var alerts: [RelayAlert]
    // Grafana's extras (nil when absent).
    public var title: String?
    public var message: String?
    public var orgId: Int?
    public var state: String?

    public init(version: String = "4", status: Status, receiver: String = "", groupKey: String, truncatedAlerts: Int = 0,
                groupLabels: [(String, String)] = [], commonLabels: [(String, String)] = [],
                commonAnnotations: [(String, String)] = [], externalURL: String = "", alerts: [RelayAlert],
                title: String? = nil, message: String? = nil, orgId: Int? = nil, state: String? = nil) {
        self.version = version
        self.status = status
        self.receiver = receiver
        self.groupKey = groupKey
        self.truncatedAlerts = truncatedAlerts
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.externalURL = externalURL
        self.alerts = alerts
        self.title = title
        self.message = message
        self.orgId = orgId
        self.state = state
    }

    /// Alerts whose own status is firing.
    public var firingCount: Int { alerts.count { $0.status == .firing } }
    /// Alerts whose own status is resolved.
    public var resolvedCount: Int { alerts.count { $0.status == .resolved } }

    public static func == (a: RelayNotification, b: RelayNotification) -> Bool {
        a.version == b.version && a.status == b.status && a.receiver == b.receiver && a.groupKey == b.groupKey
            && a.truncatedAlerts == b.truncatedAlerts && a.groupLabels.elementsEqual(b.groupLabels, by: ==)
            && a.commonLabels.elementsEqual(b.commonLabels, by: ==)
            && a.commonAnnotations.elementsEqual(b.commonAnnotations, by: ==) && a.externalURL == b.externalURL
            && a.alerts == b.alerts && a.title == b.title && a.message == b.message && a.orgId == b.orgId && a.state == b.state
    }
}
