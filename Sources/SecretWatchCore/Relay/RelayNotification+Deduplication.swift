#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SecretWatchCrypto

extension RelayNotification {
    /// The key under which a notification is recognised when its sender delivers it again (Alertmanager retries
    /// a notification whose answer it did not get): SHA-256, lowercase hex, of the URL's `receiver`, `groupKey`,
    /// `status` and, sorted, every alert's identity with its `startsAt` and `endsAt`.
    ///
    /// An alert's identity is its fingerprint, or its sorted labels when the sender gave no fingerprint. The order
    /// of the alerts, of labels and of JSON fields, annotations, `receiver` in the body and Grafana's extras do not
    /// count: the same alerts in the same state are the same notification. Every part is length-prefixed, so no
    /// two different inputs serialise alike.
    public func deduplicationKey(receiver: String) -> String {
        var canonical = "secretwatch-relay-dedup-1\n"
        func field(_ text: String) { canonical += "\(text.utf8.count):\(text)\n" }
        field(receiver)
        field(groupKey)
        field(status.rawValue)
        let identities = alerts.map { alert -> String in
            var item = ""
            func part(_ text: String) { item += "\(text.utf8.count):\(text);" }
            if alert.fingerprint.isEmpty {
                part("labels")
                for (name, value) in alert.labels { part(name); part(value) }
            } else {
                part("fingerprint")
                part(alert.fingerprint)
            }
            part(Self.instant(alert.startsAt))
            part(alert.endsAt.map(Self.instant) ?? "-")
            return item
        }
        field(String(identities.count))
        for identity in identities.sorted() { field(identity) }
        return Digest.sha256Hex(canonical)
    }

    /// Seconds since 1970 as Swift prints a Double (the shortest text that reads back to the same value):
    /// one instant always gives the same text, whatever offset or precision the sender wrote it with.
    private static func instant(_ date: Date) -> String {
        "\(date.timeIntervalSince1970)"
    }
}
