import Foundation
import SecretWatchCrypto

/// An e-mail as secretwatch sends it: rendered once, when it is queued, into the exact bytes that every delivery
/// attempt transmits (so a retry or a re-send after a crash carries the same Message-ID and Date). Plain text,
/// or plain text with an HTML alternative.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: [String]
    /// Copy recipients: a `Cc:` header, and envelope recipients like `to`.
    public var cc: [String]
    public var subject: String
    /// UTF-8 text; line ends LF or CRLF.
    public var body: String
    /// An HTML rendering of `body`; when set, the message is multipart/alternative (text/plain, then text/html).
    public var htmlBody: String?
    /// Without angle brackets: `UUID@domain`.
    public var messageId: String
    public var date: Date
    /// Extra headers (name, value), e.g. `X-Secretwatch-Alarm`; values are neutralised like the subject.
    public var extraHeaders: [(String, String)]

    public init(from: String, to: [String], cc: [String] = [], subject: String, body: String, htmlBody: String? = nil,
                date: Date, messageId: String? = nil, extraHeaders: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.body = body
        self.htmlBody = htmlBody
        self.date = date
        let domain = from.split(separator: "@").last.map(String.init) ?? "secretwatch.invalid"
        self.messageId = messageId ?? "\(UUID().uuidString.lowercased())@\(domain)"
        self.extraHeaders = extraHeaders
    }

    /// Who the message goes to over SMTP (`RCPT TO`): `to`, then `cc`, each address once (compared without case).
    public var envelopeRecipients: [String] {
        var seen = Set<String>()
        return (to + cc).filter { seen.insert($0.lowercased()).inserted }
    }

    public static func == (a: MailMessage, b: MailMessage) -> Bool {
        a.from == b.from && a.to == b.to && a.cc == b.cc && a.subject == b.subject && a.body == b.body
            && a.htmlBody == b.htmlBody && a.messageId == b.messageId && a.date == b.date
            && a.extraHeaders.map { "\($0.0): \($0.1)" } == b.extraHeaders.map { "\($0.0): \($0.1)" }
    }

    /// Why a message cannot be rendered (an address that is not one): nothing is sent.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The RFC 5322 message: headers, blank line, quoted-printable UTF-8 body (or a multipart/alternative body
    /// of two quoted-printable parts); CRLF line ends, 7-bit clean.
    public func rendered() throws(Invalid) -> Data {
        guard let sender = MIMEEncoding.address(from) else {
            throw Invalid(description: "the From address \"\(MIMEEncoding.neutralised(from))\" is not a plain name@domain address")
        }
        guard !to.isEmpty else { throw Invalid(description: "the message has no recipient") }
        let recipients = try Self.validated(to, role: "recipient")
        let copies = try Self.validated(cc, role: "Cc recipient")
        guard MIMEEncoding.address(messageId) != nil else {
            throw Invalid(description: "the Message-ID \"\(MIMEEncoding.neutralised(messageId))\" is not id@domain")
        }
        var headers = [
            "From: secretwatch <\(sender)>",
            "To: " + recipients.joined(separator: ",\r\n "),
        ]
        if !copies.isEmpty { headers.append("Cc: " + copies.joined(separator: ",\r\n ")) }
        headers += [
            "Subject: " + MIMEEncoding.headerText(subject, nameLength: 9),
            "Date: " + MIMEEncoding.date(date),
            "Message-ID: <\(messageId)>",
            "MIME-Version: 1.0",
        ]
        let content: String
        if let htmlBody {
            headers.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
            content = multipartBody(html: htmlBody)
        } else {
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: quoted-printable")
            content = MIMEEncoding.quotedPrintable(body)
        }
        headers.append("Auto-Submitted: auto-generated")
        for (name, value) in extraHeaders {
            let cleanName = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            guard !cleanName.isEmpty else { continue }
            headers.append("\(cleanName): " + MIMEEncoding.headerText(value, nameLength: cleanName.count + 2))
        }
        let text = headers.joined(separator: "\r\n") + "\r\n\r\n" + content
        return Data(text.utf8)
    }

    /// The multipart boundary: `=_` and 32 hexadecimal digits derived from the (random) Message-ID. It can never
    /// occur in a part: quoted-printable writes `=` only as `=3D`, a soft line break `=` CRLF or `=XX` with two
    /// hexadecimal digits, never `=_`.
    public var boundary: String {
        "=_secretwatch_" + String(Digest.sha256Hex(messageId).prefix(32))
    }

    private func multipartBody(html: String) -> String {
        func part(_ type: String, _ text: String) -> String {
            "--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + MIMEEncoding.quotedPrintable(text)
        }
        return "This is a MIME message with a plain-text and an HTML version.\r\n\r\n"
            + part("text/plain", body) + part("text/html", html) + "--\(boundary)--\r\n"
    }

    private static func validated(_ addresses: [String], role: String) throws(Invalid) -> [String] {
        var valid: [String] = []
        for address in addresses {
            guard let checked = MIMEEncoding.address(address) else {
                throw Invalid(description: "the \(role) \"\(MIMEEncoding.neutralised(address))\" is not a plain name@domain address")
            }
            valid.append(checked)
        }
        return valid
    }
}
