#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The e-mail for one relayed notification, modelled on Alertmanager's own default e-mail: the subject
/// `[FIRING:3] HighLatency (job="api" severity="page")` or `[RESOLVED] …` (the receiver's prefix first), a
/// Firing and a Resolved section with one block per alert (labels, summary, description, other annotations,
/// start and end in UTC, links to the source, a silence and the sender), a note when the sender truncated the
/// alerts; plain text with an HTML alternative in which every value is escaped.
public enum RelayMail {
    /// Subjects longer than this many characters end in `...` (a subject is one line a mail client shows).
    public static let subjectLimit = 300
    /// The header naming the URL's receiver on every relayed e-mail.
    public static let receiverHeader = "X-Secretwatch-Relay"

    public static func render(_ n: RelayNotification, receiver: String, from: String, to: [String], cc: [String],
                              subjectPrefix: String?, date: Date) -> MailMessage {
        let subject = subject(n, prefix: subjectPrefix)
        return MailMessage(from: from, to: to, cc: cc, subject: subject,
                           body: text(n, receiver: receiver, subject: subject),
                           htmlBody: html(n, receiver: receiver, subject: subject), date: date,
                           extraHeaders: [(receiverHeader, receiver)])
    }

    /// `[prefix ][FIRING:<firing alerts>] <group label values> (<other common labels as name="value">)`, or
    /// `[RESOLVED] …`; the parenthesis only when there are common labels beyond the group labels. Line breaks and
    /// control characters in labels are left to the header encoder, which turns them into spaces.
    public static func subject(_ n: RelayNotification, prefix: String?) -> String {
        var subject = n.status == .firing ? "[FIRING:\(n.firingCount)]" : "[RESOLVED]"
        let values = n.groupLabels.map(\.1).filter { !$0.isEmpty }
        if !values.isEmpty { subject += " " + values.joined(separator: " ") }
        let grouped = Set(n.groupLabels.map(\.0))
        let others = n.commonLabels.filter { !grouped.contains($0.0) }
        if !others.isEmpty {
            subject += " (" + others.map { "\($0.0)=\"\(matcherEscaped($0.1))\"" }.joined(separator: " ") + ")"
        }
        if let prefix = prefix?.trimmingSpaces, !prefix.isEmpty { subject = prefix + " " + subject }
        return subject.count <= subjectLimit ? subject : String(subject.prefix(subjectLimit - 3)) + "..."
    }

    // MARK: - Shared by the text and the HTML

    /// `2026-03-01 12:00:00 UTC`
    static func time(_ date: Date) -> String {
        let stamp = Timestamps.rfc3339(date)
        return String(stamp.prefix(10)) + " " + String(stamp.dropFirst(11).dropLast()) + " UTC"
    }

    /// The alert's title: its `alertname`, or all its labels when it has none.
    static func title(_ alert: RelayAlert) -> String {
        alert.label("alertname") ?? alert.labels.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// The page that silences this alert: Grafana's `silenceURL`, else Alertmanager's
    /// `<externalURL>/#/silences/new?filter={name="value",…}` over the alert's labels; nil without either.
    static func silenceURL(_ alert: RelayAlert, externalURL: String) -> String? {
        if let url = alert.silenceURL { return url }
        guard !externalURL.isEmpty, !alert.labels.isEmpty else { return nil }
        var base = externalURL
        while base.hasSuffix("/") { base.removeLast() }
        let matchers = "{" + alert.labels.map { "\(matcherName($0.0))=\"\(matcherEscaped($0.1))\"" }.joined(separator: ",") + "}"
        return base + "/#/silences/new?filter=" + percentEncoded(matchers)
    }

    /// A label name as a matcher writes it: bare when it is a classic Prometheus name, quoted otherwise.
    static func matcherName(_ name: String) -> String {
        let classic = name.unicodeScalars.enumerated().allSatisfy { index, c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || (index > 0 && ("0"..."9").contains(c))
        }
        return classic && !name.isEmpty ? name : "\"\(matcherEscaped(name))\""
    }

    /// A matcher's string value: backslash, double quote and line feed escaped as in PromQL.
    static func matcherEscaped(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Every byte outside RFC 3986's unreserved characters as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A Grafana value as people read it: `1`, not `1.0`.
    static func valueText(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// Annotations shown apart from the list of the others.
    static let featuredAnnotations: Set<String> = ["summary", "description"]

    /// The sentence under the subject: how many alerts fire and are resolved, for which receiver.
    static func overview(_ n: RelayNotification, receiver: String) -> String {
        func alerts(_ count: Int) -> String { count == 1 ? "1 alert" : "\(count) alerts" }
        var parts: [String] = []
        if n.firingCount > 0 { parts.append("\(alerts(n.firingCount)) firing") }
        if n.resolvedCount > 0 { parts.append("\(alerts(n.resolvedCount)) resolved") }
        let sender = n.version == "1" ? "Grafana" : "Alertmanager"
        let senderReceiver = n.receiver.isEmpty || n.receiver == receiver ? "" : " (\(sender) receiver \"\(n.receiver)\")"
        return parts.joined(separator: ", ") + " for receiver \"\(receiver)\"\(senderReceiver)."
    }

    /// The note when the sender left alerts out, or nil.
    static func truncationNote(_ n: RelayNotification) -> String? {
        guard n.truncatedAlerts > 0 else { return nil }
        let sender = n.version == "1" ? "Grafana" : "Alertmanager"
        let count = n.truncatedAlerts == 1 ? "1 more alert" : "\(n.truncatedAlerts) more alerts"
        return "\(count) of this group \(n.truncatedAlerts == 1 ? "was" : "were") left out by \(sender)"
            + (n.version == "1" ? "" : " (max_alerts)") + "; see them in \(sender)."
    }
}
