import Foundation
import Testing
@testable import SecretWatchCore

/// Copy recipients and the HTML alternative: the header, the SMTP envelope, and a multipart/alternative body that
/// any MIME reader splits into the text and the HTML it was given.
@Suite("MailMessage Cc and multipart")
struct MailMessageMultipartTests {
    let date = Date(timeIntervalSince1970: 1_800_000_000)

    func message(cc: [String] = [], body: String = "plain ä\n", html: String? = "<p>html ä</p>\n") -> MailMessage {
        MailMessage(from: "sender@contoso.example", to: ["oncall@contoso.example"], cc: cc, subject: "s", body: body,
                    htmlBody: html, date: date, messageId: "11111111-2222-4333-8444-555555555555@contoso.example")
    }

    @Test func ccIsAHeaderAndAnEnvelopeRecipient() throws {
        let m = message(cc: ["lead@contoso.example", "ONCALL@contoso.example", "boss@contoso.example"], html: nil)
        let parsed = try ParsedMail(try m.rendered())
        #expect(parsed.header("Cc") == "lead@contoso.example, ONCALL@contoso.example, boss@contoso.example")
        #expect(parsed.headers.map(\.0).prefix(3) == ["From", "To", "Cc"])
        #expect(m.envelopeRecipients == ["oncall@contoso.example", "lead@contoso.example", "boss@contoso.example"],
                "to, then cc, each address once")
        #expect(try ParsedMail(try message(html: nil).rendered()).header("Cc") == nil, "no Cc header without copies")
    }

    @Test func aCcThatIsNoAddressIsRefused() {
        let m = message(cc: ["lead@contoso.example\r\nBcc: thief@attacker.example"])
        #expect(throws: MailMessage.Invalid.self) { try m.rendered() }
    }

    @Test func htmlMakesAMultipartAlternativeOfTwoQuotedPrintableParts() throws {
        let text = "Firing: 2 alerts ä\nlabel = <value>\n" + String(repeating: "long ", count: 40) + "\n"
        let html = "<html><body><p class=\"x\">2 alerts &amp; ä</p>\n</body></html>\n"
        let data = try message(body: text, html: html).rendered()
        #expect(data.allSatisfy { $0 < 0x80 }, "7-bit clean")
        let raw = String(decoding: data, as: UTF8.self)
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n") && !raw.replacingOccurrences(of: "\r\n", with: "").contains("\r"),
                "CRLF line ends only")
        #expect(raw.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        let parsed = try ParsedMail(data)
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.header("Content-Type")?.hasPrefix("multipart/alternative;") == true)
        #expect(parsed.header("Content-Transfer-Encoding") == nil)
        let boundary = try #require(parsed.boundary)
        #expect(boundary.hasPrefix("=_") && boundary.count <= 70)
        let parts = try parsed.parts()
        try #require(parts.count == 2)
        #expect(parts[0].header("Content-Type") == "text/plain; charset=utf-8")
        #expect(parts[1].header("Content-Type") == "text/html; charset=utf-8")
        #expect(parts.allSatisfy { $0.header("Content-Transfer-Encoding") == "quoted-printable" })
        #expect(try parts[0].decodedQuotedPrintable() == text)
        #expect(try parts[1].decodedQuotedPrintable() == html)
    }

    @Test func theBoundaryCannotOccurInAPart() throws {
        let boundary = message().boundary
        let hostile = "--\(boundary)\nContent-Type: text/html\n\n<script>x</script>\n--\(boundary)--\n"
        let m = message(body: hostile, html: hostile)
        #expect(m.boundary == boundary, "derived from the Message-ID, not the content")
        let parts = try ParsedMail(try m.rendered()).parts()
        try #require(parts.count == 2)
        #expect(try parts[0].decodedQuotedPrintable() == hostile)
        #expect(try parts[1].decodedQuotedPrintable() == hostile)
    }

    @Test func renderingIsStableAndBoundariesDifferPerMessage() throws {
        let m = message()
        #expect(try m.rendered() == (try m.rendered()))
        let a = MailMessage(from: "s@contoso.example", to: ["a@contoso.example"], subject: "s", body: "b", htmlBody: "h", date: date)
        let b = MailMessage(from: "s@contoso.example", to: ["a@contoso.example"], subject: "s", body: "b", htmlBody: "h", date: date)
        #expect(a.boundary != b.boundary)
    }

    @Test func theOutboxQueuesEveryEnvelopeRecipient() throws {
        let store = try MailTestSupport.store(now: date)
        let m = message(cc: ["lead@contoso.example", "Oncall@contoso.example"])
        let id = try store.enqueue(m, kind: .alarm, at: date)
        #expect(try store.outboxRecipients(outboxId: id).map(\.address) == ["oncall@contoso.example", "lead@contoso.example"])
        #expect(try store.outboxMessage(id: id)?.pendingRecipients == ["oncall@contoso.example", "lead@contoso.example"])
        #expect(try store.outboxMessage(id: id)?.content == String(decoding: try m.rendered(), as: UTF8.self))
    }
}
