import Foundation

// Interim stand-in for the relay-mail branch's RelayNotification/RelayMail, so that the relay path compiles before
// that branch lands. Deleted when it is merged (the real types replace it whole).

public struct RelayNotification: Sendable, Equatable {
    public enum Status: String, Sendable { case firing, resolved }
    public var status: Status
    public var groupKey: String
    public var alertKeys: [String]

    public static func parse(_ body: [UInt8]) throws(RelayPayloadError) -> RelayNotification {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw RelayPayloadError(description: "the body is not a JSON object")
        }
        guard let text = object["status"] as? String, let status = Status(rawValue: text) else {
            throw RelayPayloadError(description: "status: must be \"firing\" or \"resolved\"")
        }
        guard let groupKey = object["groupKey"] as? String else {
            throw RelayPayloadError(description: "groupKey: required field is missing")
        }
        guard let alerts = object["alerts"] as? [[String: Any]], !alerts.isEmpty else {
            throw RelayPayloadError(description: "alerts: needs at least one alert")
        }
        let keys = alerts.map { "\($0["fingerprint"] ?? "")|\($0["startsAt"] ?? "")|\($0["endsAt"] ?? "")" }.sorted()
        return RelayNotification(status: status, groupKey: groupKey, alertKeys: keys)
    }

    public func deduplicationKey(receiver: String) -> String {
        ([receiver, groupKey, status.rawValue] + alertKeys).joined(separator: "\n")
    }
}

public struct RelayPayloadError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

public enum RelayMail {
    public static func render(_ n: RelayNotification, receiver: String, from: String, to: [String], cc: [String],
                              subjectPrefix: String?, date: Date) -> MailMessage {
        let subject = (subjectPrefix.map { $0 + " " } ?? "") + "[\(n.status.rawValue.uppercased())] \(n.groupKey)"
        return MailMessage(from: from, to: to + cc, subject: subject, body: "relayed for \(receiver)\n", date: date)
    }
}
