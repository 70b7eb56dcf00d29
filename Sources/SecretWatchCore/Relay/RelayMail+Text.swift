#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RelayMail {
    /// The plain-text body. Labels and other one-line values have their line breaks and control characters
    /// turned into spaces, so no value can fake a line of the mail (a `Silence:` link of its own); annotations
    /// keep their lines, each continuation indented under its field.
    static func text(_ n: RelayNotification, receiver: String, subject: String) -> String {
        var out = oneLine(subject) + "\n\n" + overview(n, receiver: receiver) + "\n"
        if let note = truncationNote(n) { out += "\nNote: " + note + "\n" }
        let firing = n.alerts.filter { $0.status == .firing }
        let resolved = n.alerts.filter { $0.status == .resolved }
        for (heading, alerts) in [("Firing", firing), ("Resolved", resolved)] where !alerts.isEmpty {
            let title = "\(heading) (\(alerts.count))"
            out += "\n" + title + "\n" + String(repeating: "=", count: title.count) + "\n"
            for (index, alert) in alerts.enumerated() {
                out += "\n" + textBlock(alert, number: index + 1, of: alerts.count, externalURL: n.externalURL)
            }
        }
        if !n.externalURL.isEmpty {
            out += "\n\(n.version == "1" ? "Grafana" : "Alertmanager"): \(oneLine(n.externalURL))\n"
        }
        out += "\n-- \nRelayed by secretwatch for receiver \"\(oneLine(receiver))\". Group: \(oneLine(n.groupKey))\n"
        return out
    }

    private static func textBlock(_ alert: RelayAlert, number: Int, of count: Int, externalURL: String) -> String {
        var out = "Alert \(number) of \(count): \(oneLine(title(alert)))\n"
        out += "  Labels:\n"
        for (name, value) in alert.labels { out += "    \(oneLine(name)) = \(oneLine(value))\n" }
        if let summary = alert.annotation("summary") { out += "  Summary: " + indented(summary) + "\n" }
        if let description = alert.annotation("description") { out += "  Description: " + indented(description) + "\n" }
        let others = alert.annotations.filter { !featuredAnnotations.contains($0.0) }
        if !others.isEmpty {
            out += "  Annotations:\n"
            for (name, value) in others { out += "    \(oneLine(name)) = " + indented(value, by: 6) + "\n" }
        }
        if let value = alert.valueString { out += "  Value: \(oneLine(value))\n" }
        if !alert.values.isEmpty {
            out += "  Values: " + alert.values.map { "\(oneLine($0.0))=\(valueText($0.1))" }.joined(separator: ", ") + "\n"
        }
        out += "  Started: \(time(alert.startsAt))\n"
        if let endsAt = alert.endsAt { out += "  \(alert.status == .resolved ? "Ended" : "Ends"): \(time(endsAt))\n" }
        if !alert.generatorURL.isEmpty { out += "  Source: \(oneLine(alert.generatorURL))\n" }
        if let url = silenceURL(alert, externalURL: externalURL) { out += "  Silence: \(oneLine(url))\n" }
        if let url = alert.dashboardURL { out += "  Dashboard: \(oneLine(url))\n" }
        if let url = alert.panelURL { out += "  Panel: \(oneLine(url))\n" }
        return out
    }

    /// The value on one line: control characters and line breaks as spaces.
    static func oneLine(_ value: String) -> String { MIMEEncoding.neutralised(value) }

    /// A multi-line value: each line cleaned of control characters, continuation lines indented by `by` spaces.
    static func indented(_ value: String, by width: Int = 4) -> String {
        lines(value).joined(separator: "\n" + String(repeating: " ", count: width))
    }

    /// The lines of `value` (any line break: LF, CRLF, CR, U+0085, U+2028, U+2029), each without control characters.
    static func lines(_ value: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in value.unicodeScalars {
            if scalar == "\n" && previousWasCR { previousWasCR = false; continue }
            previousWasCR = scalar == "\r"
            if VisibleText.isLineBreak(scalar) {
                lines.append(oneLine(String(current)))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        lines.append(oneLine(String(current)))
        return lines
    }
}
