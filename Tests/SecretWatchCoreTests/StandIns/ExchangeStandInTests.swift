import Foundation
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

/// The Exchange stand-in driven by libcurl's real SMTP client: the path the mailer takes, end to end over
/// loopback, with tokens the token stand-in issued.
@Suite("Exchange stand-in")
struct ExchangeStandInTests {
    @Test func sendsWithAnIssuedTokenAndWritesTheMessageByteForByte() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        let body = "First line.\r\n.A line that starts with a dot\r\n..two dots\r\n.\r\nÜmlaut after a lone-dot line.\r\n"
        let message = ExchangeFixture.message(id: "<exact-1@secretwatch.test>", body: body)
        let response = try await BlockingExecutor.run {
            try fixture.send(message, bearer: try fixture.fetchToken())
        }
        #expect(response.ok, "\(response.codeText) \(response.headerLines)")
        let lines = response.headerLines
        #expect(lines.first?.hasPrefix("220 exchange-standin.secretwatch.invalid Microsoft ESMTP MAIL Service ready at ") == true)
        #expect(lines.first?.hasSuffix("(secretwatch stand-in, not Microsoft)") == true)
        // Before STARTTLS: STARTTLS offered, no AUTH. After it: AUTH LOGIN XOAUTH2, no STARTTLS.
        let upgrade = try #require(lines.firstIndex(of: "220 2.0.0 SMTP server ready"))
        #expect(lines[..<upgrade].contains("250-STARTTLS"))
        #expect(!lines[..<upgrade].contains { $0.contains("AUTH") })
        #expect(lines[upgrade...].contains("250-AUTH LOGIN XOAUTH2"))
        #expect(lines[upgrade...].contains("250-8BITMIME"))
        #expect(!lines[upgrade...].contains("250-STARTTLS"))
        #expect(lines.contains("235 2.7.0 Authentication successful"))
        #expect(lines.contains("250 2.0.0 OK <exact-1@secretwatch.test> [Hostname=exchange-standin.secretwatch.invalid] Queued mail for delivery"))

        #expect(try fixture.mailFiles() == ["000001-exact-1@secretwatch.test.eml"])
        let written = try Data(contentsOf: URL(fileURLWithPath: fixture.mailDirectory + "/000001-exact-1@secretwatch.test.eml"))
        #expect(written == Data(message.utf8))
        let accepted = try #require(fixture.exchange.messages.first)
        #expect(accepted.mailbox == ExchangeFixture.mailbox)
        #expect(accepted.mailFrom == ExchangeFixture.mailbox)
        #expect(accepted.recipients == ["ops@contoso.example"])
        #expect(accepted.messageId == "exact-1@secretwatch.test")
        let counters = fixture.exchange.counters
        #expect(counters.authSuccesses == 1 && counters.authFailures == 0 && counters.messagesAccepted == 1)
    }

    @Test func aSenderGoneDuringTheAcceptDelayStillHasItsMessageQueued() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        fixture.exchange.setAcceptDelay(4)
        let response = try await BlockingExecutor.run {
            try fixture.send(ExchangeFixture.message(id: "<late-1@secretwatch.test>"), bearer: try fixture.fetchToken(), timeout: 2)
        }
        #expect(response.code == .operationTimedOut, "\(response.codeText) \(response.headerLines)")
        #expect(!response.headerLines.contains { $0.hasPrefix("250 2.0.0 OK") }, "answered before the delay was over")
        // The sender gave up; the stand-in queues the message anyway once the delay is over, as Exchange would.
        let deadline = Patience.deadline
        while try fixture.mailFiles().isEmpty, Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
        #expect(try fixture.mailFiles() == ["000001-late-1@secretwatch.test.eml"])
        #expect(fixture.exchange.counters.messagesAccepted == 1)
    }

    @Test func aLongTokenTakesTheTwoStepForm() async throws {
        let long = String(repeating: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9", count: 50) // 1,800 bytes, like a real token
        let fixture = try ExchangeFixture(accessToken: long)
        defer { fixture.shutdown() }
        let response = try await BlockingExecutor.run {
            try fixture.send(bearer: try fixture.fetchToken())
        }
        #expect(response.ok, "\(response.codeText) \(response.headerLines)")
        // libcurl sends `AUTH XOAUTH2` alone when the initial response would pass 512 bytes; the server's `334 `
        // prompt proves the two-step form ran.
        #expect(response.headerLines.contains { $0.hasPrefix("334") })
        #expect(response.headerLines.contains("235 2.7.0 Authentication successful"))
        #expect(fixture.exchange.counters.messagesAccepted == 1)
    }

    @Test func anUnknownTokenGets535() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        let response = try await BlockingExecutor.run {
            _ = try fixture.fetchToken() // a token was issued, but not this one
            return try fixture.send(bearer: "not-a-token-the-stand-in-issued")
        }
        #expect(response.code == .loginDenied)
        let last = try #require(response.failureReply)
        let pattern = #/^535 5\.7\.3 Authentication unsuccessful \[exchange-standin\.secretwatch\.invalid \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9A-F]{16}\]$/#
        #expect(last.wholeMatch(of: pattern) != nil, "\(last)")
        #expect(fixture.exchange.counters.authFailures == 1)
        #expect(try fixture.mailFiles().isEmpty)
    }

    @Test func aMailboxThatIsNotAllowedGets535EvenWithAGoodToken() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        let response = try await BlockingExecutor.run {
            try fixture.send(bearer: try fixture.fetchToken(), user: "someone-else@contoso.example", from: "someone-else@contoso.example")
        }
        #expect(response.code == .loginDenied)
        #expect(response.failureReply?.hasPrefix("535 5.7.3 Authentication unsuccessful [") == true)
    }

    @Test func sendingAsAnotherAddressGets550At5760() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        let response = try await BlockingExecutor.run {
            try fixture.send(bearer: try fixture.fetchToken(), from: "ceo@contoso.example")
        }
        #expect(!response.ok)
        #expect(response.failureReply?.hasPrefix("550 5.7.60 SMTP; Client does not have permissions to send as this sender [") == true)
        #expect(fixture.exchange.counters.messagesAccepted == 0)
    }

    @Test func unknownRecipientsAreRefusedAndTheOthersGetTheMessage() async throws {
        let fixture = try ExchangeFixture(unknownRecipients: ["Gone@contoso.example"])
        defer { fixture.shutdown() }
        let response = try await BlockingExecutor.run {
            try fixture.send(bearer: try fixture.fetchToken(), to: ["ops@contoso.example", "gone@contoso.example", "sec@contoso.example"],
                             allowRecipientFailures: true)
        }
        #expect(response.ok, "\(response.codeText) \(response.headerLines)")
        #expect(response.headerLines.contains("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient gone@contoso.example not found by SMTP address lookup"))
        #expect(fixture.exchange.messages.map(\.recipients) == [["ops@contoso.example", "sec@contoso.example"]])
    }
}
