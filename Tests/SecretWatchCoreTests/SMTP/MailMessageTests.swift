import Foundation
import Testing
@testable import SecretWatchCore

@Suite("MIME encoding")
struct MIMEEncodingTests {
    @Test func controlCharactersNeverSurviveInHeaderValues() {
        let value = MIMEEncoding.headerText("a\r\nBcc: x@y\u{0}\u{85}\u{2028}z", nameLength: 9)
        #expect(!value.unicodeScalars.contains { $0.value < 0x20 && $0 != "\r" && $0 != "\n" })
        // The only CRLFs are folds (followed by a space), never a new header.
        for (index, line) in value.components(separatedBy: "\r\n").enumerated() where index > 0 {
            #expect(line.hasPrefix(" "))
        }
    }

    @Test func encodedWordsSplitBetweenCharactersAndDecodeBack() throws {
        let text = String(repeating: "ü🔑", count: 40)
        let words = MIMEEncoding.encodedWords(text, firstLineUsed: 9)
        #expect(words.count > 1)
        var decoded = ""
        for (i, word) in words.enumerated() {
            #expect(word.count + (i == 0 ? 9 : 1) <= 76)
            let b64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            let data = try #require(Data(base64Encoded: String(b64)))
            decoded += try #require(String(data: data, encoding: .utf8), "a word split a character")
        }
        #expect(decoded == text)
    }

    @Test func quotedPrintable() {
        #expect(MIMEEncoding.quotedPrintable("a=b\nend ") == "a=3Db\r\nend=20\r\n")
        #expect(MIMEEncoding.quotedPrintable("ä") == "=C3=A4\r\n")
        let long = MIMEEncoding.quotedPrintable(String(repeating: "y", count: 200))
        #expect(long.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(long.replacingOccurrences(of: "=\r\n", with: "") == String(repeating: "y", count: 200) + "\r\n")
        #expect(MIMEEncoding.quotedPrintable(".\r\n..x\n") == ".\r\n..x\r\n", "dots are the SMTP layer's business")
    }

    @Test func longASCIISubjectsFoldAndUnfoldUnchanged() {
        let subject = (1...30).map { "word\($0)" }.joined(separator: " ")
        let folded = MIMEEncoding.headerText(subject, nameLength: 9)
        #expect(folded.contains("\r\n "))
        #expect(folded.replacingOccurrences(of: "\r\n", with: "") == subject)
    }

    @Test func dateIsRFC5322() {
        #expect(MIMEEncoding.date(Date(timeIntervalSince1970: 1_800_000_000)) == "Fri, 15 Jan 2027 08:00:00 +0000")
    }

    @Test func messageIdIsStableAcrossRenders() throws {
        let m = MailTestSupport.message()
        #expect(try m.rendered() == (try m.rendered()))
        #expect(String(decoding: try m.rendered(), as: UTF8.self).contains("Message-ID: <\(m.messageId)>\r\n"))
    }

    /// Alarm mail (no Cc, no HTML) renders byte for byte as it always has: single-part text/plain, these headers
    /// in this order.
    @Test func plainMessageRendersByteIdentical() throws {
        let m = MailMessage(from: "sender@contoso.example", to: ["admin1@contoso.example", "admin2@contoso.example"],
                            subject: "[secretwatch] CRITICAL client_secret_expiring: guest-portal (RAISED)",
                            body: "Line one\nä = b\n", date: Date(timeIntervalSince1970: 1_800_000_000),
                            messageId: "0f0e0d0c-0000-4000-8000-000000000001@contoso.example",
                            extraHeaders: [("X-Secretwatch-Alarm", "42")])
        let expected = "From: secretwatch <sender@contoso.example>\r\n"
            + "To: admin1@contoso.example,\r\n admin2@contoso.example\r\n"
            + "Subject: [secretwatch] CRITICAL client_secret_expiring: guest-portal (RAISED)\r\n"
            + "Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"
            + "Message-ID: <0f0e0d0c-0000-4000-8000-000000000001@contoso.example>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: quoted-printable\r\n"
            + "Auto-Submitted: auto-generated\r\n"
            + "X-Secretwatch-Alarm: 42\r\n"
            + "\r\n"
            + "Line one\r\n=C3=A4 =3D b\r\n"
        #expect(String(decoding: try m.rendered(), as: UTF8.self) == expected)
        #expect(m.envelopeRecipients == ["admin1@contoso.example", "admin2@contoso.example"])
    }
}
