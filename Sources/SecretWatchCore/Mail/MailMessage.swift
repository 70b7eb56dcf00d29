import Foundation

/// A plain-text e-mail as secretwatch sends it: rendered once, when it is queued, into the exact bytes that
/// every delivery attempt transmits (so a retry or a re-send after a crash carries the same Message-ID and Date).
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: [String]
    public var subject: String
    /// UTF-8 text; line ends LF or CRLF.
    public var body: String
    /// Without angle brackets: `UUID@domain`.
    public var messageId: String
    public var date: Date
    /// Extra headers (name, value), e.g. `X-Secretwatch-Alarm`; values are neutralised like the subject.
    public var extraHeaders: [(String, String)]

    public init(from: String, to: [String], subject: String, body: String, date: Date, messageId: String? = nil,
                extraHeaders: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        let domain = from.split(separator: "@").last.map(String.init) ?? "secretwatch.invalid"
        self.messageId = messageId ?? "\(UUID().uuidString.lowercased())@\(domain)"
        self.extraHeaders = extraHeaders
    }

    public static func == (a: MailMessage, b: MailMessage) -> Bool {
        a.from == b.from && a.to == b.to && a.subject == b.subject && a.body == b.body && a.messageId == b.messageId
            && a.date == b.date && a.extraHeaders.map { "\($0.0): \($0.1)" } == b.extraHeaders.map { "\($0.0): \($0.1)" }
    }

    /// Why a message cannot be rendered (an address that is not one): nothing is sent.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The RFC 5322 message: headers, blank line, quoted-printable UTF-8 body; CRLF line ends, 7-bit clean.
    public func rendered() throws(Invalid) -> Data {
        guard let sender = MIMEEncoding.address(from) else {
            throw Invalid(description: "the From address \"\(MIMEEncoding.neutralised(from))\" is not a plain name@domain address")
        }
        guard !to.isEmpty else { throw Invalid(description: "the message has no recipient") }
        var recipients: [String] = []
        for address in to {
            guard let valid = MIMEEncoding.address(address) else {
                throw Invalid(description: "the recipient \"\(MIMEEncoding.neutralised(address))\" is not a plain name@domain address")
            }
            recipients.append(valid)
        }
        guard MIMEEncoding.address(messageId) != nil else {
            throw Invalid(description: "the Message-ID \"\(MIMEEncoding.neutralised(messageId))\" is not id@domain")
        }
        var headers = [
            "From: secretwatch <\(sender)>",
            "To: " + recipients.joined(separator: ",\r\n "),
            "Subject: " + MIMEEncoding.headerText(subject, nameLength: 9),
            "Date: " + MIMEEncoding.date(date),
            "Message-ID: <\(messageId)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "Auto-Submitted: auto-generated",
        ]
        for (name, value) in extraHeaders {
            let cleanName = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            guard !cleanName.isEmpty else { continue }
            headers.append("\(cleanName): " + MIMEEncoding.headerText(value, nameLength: cleanName.count + 2))
        }
        let text = headers.joined(separator: "\r\n") + "\r\n\r\n" + MIMEEncoding.quotedPrintable(body)
        return Data(text.utf8)
    }
}
