import Foundation
@testable import SecretWatchCore

/// Alertmanager webhook payloads (version 4) as Alertmanager sends them, for the relay path's tests.
enum RelayPayloadSamples {
    static let opsToken = "ops-relay-token-0123456789abcdef"
    static let devToken = "dev-relay-token-0123456789abcdef"

    /// `ops` (own token) and `dev` (the other token), mailed to on-call addresses; the window is the default 10m.
    static func config(maxBodyBytes: Int = ConfigDefaults.relayMaxBodyBytes,
                       dedupWindow: TimeInterval = ConfigDefaults.relayDedupWindow,
                       maxRecipientsPerDay: Int = ConfigDefaults.relayMaxRecipientsPerDay) -> RelayConfig {
        RelayConfig(maxBodyBytes: maxBodyBytes, dedupWindow: dedupWindow, maxRecipientsPerDay: maxRecipientsPerDay, receivers: [
            RelayReceiverConfig(name: "ops", to: ["oncall@contoso.example"], cc: ["lead@contoso.example"], subjectPrefix: "[prod]"),
            RelayReceiverConfig(name: "dev", to: ["dev@contoso.example"]),
        ])
    }

    static let tokens = ["ops": opsToken, "dev": devToken]

    /// One notification of `alerts` alerts; `padding` adds a long description annotation (to make the body large).
    static func alertmanager(status: String = "firing", groupKey: String = "{}:{alertname=\"HighLatency\"}",
                             startsAt: String = "2026-12-01T00:00:00Z", alerts: Int = 1, padding: Int = 0) -> String {
        let items = (0..<alerts).map { i in
            """
            {"status": "\(status)", "labels": {"alertname": "HighLatency", "job": "api", "instance": "api-\(i):9100", "severity": "page"},
             "annotations": {"summary": "p99 latency above 2s", "description": "\(String(repeating: "d", count: padding))"},
             "startsAt": "\(startsAt)", "endsAt": "\(status == "resolved" ? "2026-12-01T00:30:00Z" : "0001-01-01T00:00:00Z")",
             "generatorURL": "http://prometheus.example:9090/graph?g0.expr=latency", "fingerprint": "\(String(format: "%016x", 0xabc0 + i))"}
            """
        }
        return """
            {"version": "4", "status": "\(status)", "receiver": "secretwatch", "groupKey": \(jsonString(groupKey)), "truncatedAlerts": 0,
             "groupLabels": {"alertname": "HighLatency"}, "commonLabels": {"alertname": "HighLatency", "job": "api", "severity": "page"},
             "commonAnnotations": {"summary": "p99 latency above 2s"}, "externalURL": "http://alertmanager.example:9093",
             "alerts": [\(items.joined(separator: ","))]}
            """
    }

    static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}
