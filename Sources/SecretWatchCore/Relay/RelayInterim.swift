import Foundation

// Interim stand-in for the relay-mail branch's RelayMail, so that the relay path compiles before that part lands.
// Deleted when it is merged (the real type replaces it whole). RelayNotification and RelayPayloadError are
// relay-mail's own.

public enum RelayMail {
    public static func render(_ n: RelayNotification, receiver: String, from: String, to: [String], cc: [String],
                              subjectPrefix: String?, date: Date) -> MailMessage {
        let subject = (subjectPrefix.map { $0 + " " } ?? "") + "[\(n.status.rawValue.uppercased())] \(n.groupKey)"
        return MailMessage(from: from, to: to + cc, subject: subject, body: "relayed for \(receiver)\n", date: date)
    }
}
