#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One alert of a notification, as Alertmanager's webhook (and Grafana's, with its extras) sends it.
public struct RelayAlert: Sendable, Equatable {
    public var status: RelayNotification.Status
    /// Sorted by name.
    public var labels: [(String, String)]
    /// Sorted by name.
    public var annotations: [(String, String)]
    public var startsAt: Date
    /// nil while the alert has not ended (Alertmanager sends Go's zero time `0001-01-01T00:00:00Z`).
    public var endsAt: Date?
    /// Empty when the sender gave none.
    public var generatorURL: String
    /// Alertmanager's hash of the labels; empty when the sender gave none.
    public var fingerprint: String
    // Grafana's extras (nil when absent or empty).
    public var silenceURL: String?
    public var dashboardURL: String?
    public var panelURL: String?
    public var valueString: String?
    /// Grafana's `values` (query ref ID → value), sorted by ref ID.
    public var values: [(String, Double)]

    public init(status: RelayNotification.Status, labels: [(String, String)], annotations: [(String, String)] = [],
                startsAt: Date, endsAt: Date? = nil, generatorURL: String = "", fingerprint: String = "",
                silenceURL: String? = nil, dashboardURL: String? = nil, panelURL: String? = nil,
                valueString: String? = nil, values: [(String, Double)] = []) {
        self.status = status
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.fingerprint = fingerprint
        self.silenceURL = silenceURL
        self.dashboardURL = dashboardURL
        self.panelURL = panelURL
        self.valueString = valueString
        self.values = values
    }

    /// The value of label `name`, if the alert has it.
    public func label(_ name: String) -> String? { labels.first { $0.0 == name }?.1 }

    /// The value of annotation `name`, if the alert has it.
    public func annotation(_ name: String) -> String? { annotations.first { $0.0 == name }?.1 }

    public static func == (a: RelayAlert, b: RelayAlert) -> Bool {
        a.status == b.status && a.labels.elementsEqual(b.labels, by: ==) && a.annotations.elementsEqual(b.annotations, by: ==)
            && a.startsAt == b.startsAt && a.endsAt == b.endsAt && a.generatorURL == b.generatorURL
            && a.fingerprint == b.fingerprint && a.silenceURL == b.silenceURL && a.dashboardURL == b.dashboardURL
            && a.panelURL == b.panelURL && a.valueString == b.valueString && a.values.elementsEqual(b.values, by: ==)
    }
}
