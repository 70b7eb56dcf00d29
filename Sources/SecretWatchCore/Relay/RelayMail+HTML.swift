#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RelayMail {
    /// The HTML alternative: the same content as the text, every value escaped (`escaped`), links only for
    /// http and https URLs (anything else is shown as text), inline styles only (mail clients drop style sheets).
    static func html(_ n: RelayNotification, receiver: String, subject: String) -> String {
        let colour = n.status == .firing ? "#b3261e" : "#1e7a34"
        var out = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>\(escaped(subject))</title>\n</head>\n"
        out += "<body style=\"font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 14px; color: #222;\">\n"
        out += "<h2 style=\"color: \(colour);\">\(escaped(subject))</h2>\n"
        out += "<p>\(escaped(overview(n, receiver: receiver)))</p>\n"
        if let note = truncationNote(n) {
            out += "<p style=\"background: #fff4ce; padding: 6px;\"><strong>Note:</strong> \(escaped(note))</p>\n"
        }
        let firing = n.alerts.filter { $0.status == .firing }
        let resolved = n.alerts.filter { $0.status == .resolved }
        for (heading, alerts, headingColour) in [("Firing", firing, "#b3261e"), ("Resolved", resolved, "#1e7a34")] where !alerts.isEmpty {
            out += "<h3 style=\"color: \(headingColour);\">\(heading) (\(alerts.count))</h3>\n"
            for (index, alert) in alerts.enumerated() {
                out += htmlBlock(alert, number: index + 1, of: alerts.count, externalURL: n.externalURL)
            }
        }
        if !n.externalURL.isEmpty {
            out += "<p>\(link(n.externalURL, text: n.version == "1" ? "Open Grafana" : "Open Alertmanager"))</p>\n"
        }
        out += "<p style=\"color: #666; font-size: 12px;\">Relayed by secretwatch for receiver &quot;\(escaped(receiver))&quot;. "
            + "Group: \(escaped(n.groupKey))</p>\n</body>\n</html>\n"
        return out
    }

    private static func htmlBlock(_ alert: RelayAlert, number: Int, of count: Int, externalURL: String) -> String {
        var out = "<div style=\"border: 1px solid #ccc; border-radius: 4px; padding: 8px 12px; margin: 8px 0;\">\n"
        out += "<p><strong>Alert \(number) of \(count): \(escaped(title(alert)))</strong></p>\n"
        out += "<table style=\"border-collapse: collapse;\">\n"
        for (name, value) in alert.labels {
            out += "<tr><td style=\"padding: 1px 8px 1px 0; color: #555;\">\(escaped(name))</td><td>\(escaped(value))</td></tr>\n"
        }
        out += "</table>\n"
        if let summary = alert.annotation("summary") { out += "<p><strong>Summary:</strong> \(multiline(summary))</p>\n" }
        if let description = alert.annotation("description") {
            out += "<p><strong>Description:</strong> \(multiline(description))</p>\n"
        }
        let others = alert.annotations.filter { !featuredAnnotations.contains($0.0) }
        if !others.isEmpty {
            out += "<p><strong>Annotations:</strong></p>\n<ul>\n"
            for (name, value) in others { out += "<li>\(escaped(name)): \(multiline(value))</li>\n" }
            out += "</ul>\n"
        }
        if let value = alert.valueString { out += "<p><strong>Value:</strong> \(escaped(value))</p>\n" }
        if !alert.values.isEmpty {
            out += "<p><strong>Values:</strong> "
                + alert.values.map { "\(escaped($0.0))=\(valueText($0.1))" }.joined(separator: ", ") + "</p>\n"
        }
        out += "<p>Started: \(time(alert.startsAt))"
        if let endsAt = alert.endsAt { out += "<br>\n\(alert.status == .resolved ? "Ended" : "Ends"): \(time(endsAt))" }
        out += "</p>\n"
        var links: [String] = []
        if !alert.generatorURL.isEmpty { links.append(link(alert.generatorURL, text: "Source")) }
        if let url = silenceURL(alert, externalURL: externalURL) { links.append(link(url, text: "Silence")) }
        if let url = alert.dashboardURL { links.append(link(url, text: "Dashboard")) }
        if let url = alert.panelURL { links.append(link(url, text: "Panel")) }
        if !links.isEmpty { out += "<p>" + links.joined(separator: " | ") + "</p>\n" }
        return out + "</div>\n"
    }

    /// `<a href="url">text</a>` for an http or https URL; otherwise the text and the URL, both as plain text.
    static func link(_ url: String, text: String) -> String {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return "\(escaped(text)): \(escaped(url))" }
        return "<a href=\"\(escaped(url))\">\(escaped(text))</a>"
    }

    /// Lines joined by `<br>`, each escaped.
    static func multiline(_ value: String) -> String {
        lines(value).map(escaped).joined(separator: "<br>\n")
    }

    /// HTML-escaped text, safe in element content and in double- or single-quoted attribute values; control
    /// characters and line breaks become spaces.
    static func escaped(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in oneLine(value).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
