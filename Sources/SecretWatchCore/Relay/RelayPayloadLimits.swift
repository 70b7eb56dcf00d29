/// The bounds a webhook body must keep within, on top of the HTTP body limit (`relay.max_body_bytes`): enough
/// for any real Alertmanager or Grafana notification, small enough that one e-mail stays readable and cheap.
public enum RelayPayloadLimits {
    /// Alerts in one notification (Alertmanager's `max_alerts` truncates before sending; 0 there means all).
    public static let alerts = 1_000
    /// Entries in one labels or annotations object, and values in Grafana's `values`.
    public static let entries = 256
    /// Bytes of a label or annotation name.
    public static let nameBytes = 256
    /// Bytes of a label value.
    public static let labelValueBytes = 4_096
    /// Bytes of an annotation value (descriptions may be long).
    public static let annotationValueBytes = 16_384
    /// Bytes of `groupKey`, of a URL and of Grafana's `valueString`.
    public static let keyBytes = 8_192
    /// Bytes of a short identifier: `version`, `receiver`, `fingerprint`, `state`.
    public static let shortBytes = 1_024
    /// Bytes of Grafana's `title` and `message`.
    public static let textBytes = 65_536
    /// The largest whole number a JSON number carries exactly (2^53 - 1): Grafana's `orgId` at most.
    public static let exactInteger = 9_007_199_254_740_991
    /// `truncatedAlerts` at most.
    public static let truncatedAlerts = 1_000_000_000
}
