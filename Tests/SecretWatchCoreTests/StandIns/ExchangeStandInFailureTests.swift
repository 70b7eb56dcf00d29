import Foundation
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore
import SecretWatchCurl

/// Every failure behaviour of the Exchange stand-in, seen through libcurl: the exact reply at the step where
/// Exchange Online gives it (docs/stand-ins.md lists them), and nothing queued.
@Suite("Exchange stand-in failures")
struct ExchangeStandInFailureTests {
    static let cases: [(ExchangeStandInBehaviour, String)] = [
        (.tokenRefused, "535 5.7.3 Authentication unsuccessful ["),
        (.smtpAuthDisabled, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. ["),
        (.sendAsDenied, "550 5.7.60 SMTP; Client does not have permissions to send as this sender ["),
        (.sendAsDeniedAfterData, "554 5.2.252 SendAsDenied; alerts@contoso.example not allowed to send as alerts@contoso.example; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied;"),
        (.concurrencyLimit, "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=exchange-standin.secretwatch.invalid]"),
        (.quotaExceeded, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message"),
        (.tlsVersion, "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls. ["),
        (.temporaryFailure, "451 4.7.500 Server busy. Please try again later from [127.0.0.1]. (S77719) ["),
    ]

    @Test(arguments: cases)
    func behaviourGivesExchangesReply(behaviour: ExchangeStandInBehaviour, reply: String) async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        fixture.exchange.setBehaviour(behaviour)
        let response = try await BlockingExecutor.run { try fixture.send(bearer: try fixture.fetchToken()) }
        #expect(!response.ok)
        let last = try #require(response.failureReply)
        #expect(last.hasPrefix(reply), "\(response.headerLines)")
        #expect(fixture.exchange.counters.failureReplies[reply.split(separator: " ").prefix(2).joined(separator: " ")] == 1)
        #expect(fixture.exchange.counters.messagesAccepted == 0)
        #expect(try fixture.mailFiles().isEmpty)
    }

    @Test func behaviourForOneMailboxAndOneShotQueueLeaveOthersWorking() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        fixture.exchange.setBehaviour(.smtpAuthDisabled, forMailbox: "other@contoso.example")
        fixture.exchange.enqueue(.temporaryFailure)
        let (first, second) = try await BlockingExecutor.run {
            let token = try fixture.fetchToken()
            return (try fixture.send(bearer: token), try fixture.send(bearer: token))
        }
        #expect(first.failureReply?.hasPrefix("451 4.7.500 ") == true)
        #expect(second.ok, "\(second.headerLines)") // the queued behaviour was for one session only
        fixture.exchange.setBehaviour(nil, forMailbox: "other@contoso.example")
        #expect(fixture.exchange.counters.messagesAccepted == 1)
    }

    @Test func theFourthConcurrentSessionOfAMailboxGets432() throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        let token = try fixture.fetchToken()
        var held: [CurlEasy] = []
        for _ in 0..<3 {
            let (easy, response) = try fixture.holdSession(bearer: token)
            #expect(response.ok, "\(response.codeText) \(response.headerLines)")
            held.append(easy)
        }
        #expect(fixture.exchange.sessions(of: ExchangeFixture.mailbox) == 3)
        let fourth = try fixture.send(bearer: token)
        #expect(fourth.failureReply == "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=exchange-standin.secretwatch.invalid]")
        #expect(fixture.exchange.counters.messagesAccepted == 0)
        // One session leaves (its handle closes the connection): the next send fits under the cap again.
        held.removeLast()
        // The server notices the close asynchronously; wait for it (bounded: 2,000 polls), not for a duration.
        var polls = 0
        while fixture.exchange.sessions(of: ExchangeFixture.mailbox) > 2 && polls < 2_000 {
            Thread.sleep(forTimeInterval: 0.005)
            polls += 1
        }
        #expect(fixture.exchange.sessions(of: ExchangeFixture.mailbox) == 2)
        let fifth = try fixture.send(bearer: token)
        #expect(fifth.ok, "\(fifth.headerLines)")
        #expect(fixture.exchange.counters.messagesAccepted == 1)
        held.removeAll()
    }

    @Test func withoutACapManySessionsOfOneMailboxAreServed() throws {
        let fixture = try ExchangeFixture(sessionsPerMailbox: nil)
        defer { fixture.shutdown() }
        let token = try fixture.fetchToken()
        let held = try (0..<5).map { _ in try fixture.holdSession(bearer: token).0 }
        let response = try fixture.send(bearer: token)
        #expect(response.ok, "\(response.headerLines)")
        withExtendedLifetime(held) {}
    }

    @Test func goesDownAndComesBackOnTheSamePort() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        let port = fixture.exchange.port
        let token = try await BlockingExecutor.run { try fixture.fetchToken() }
        let before = try await BlockingExecutor.run { try fixture.send(bearer: token) }
        #expect(before.ok)
        try fixture.exchange.takeDown()
        #expect(fixture.exchange.isDown)
        let during = try await BlockingExecutor.run { try fixture.send(bearer: token) }
        #expect(during.code == .couldntConnect, "\(during.codeText)")
        try fixture.exchange.bringUp()
        #expect(fixture.exchange.port == port && !fixture.exchange.isDown)
        let after = try await BlockingExecutor.run { try fixture.send(bearer: token) }
        #expect(after.ok, "\(after.codeText) \(after.headerLines)")
        #expect(try fixture.mailFiles().map { $0.prefix(7) } == ["000001-", "000002-"])
    }

    @Test func withoutSTARTTLSLibcurlRefusesAndNothingIsSent() async throws {
        let fixture = try ExchangeFixture(security: .noStartTLS)
        defer { fixture.shutdown() }
        let response = try await BlockingExecutor.run { try fixture.send(bearer: try fixture.fetchToken()) }
        #expect(response.code == .useSSLFailed, "\(response.codeText)")
        #expect(!response.headerLines.contains { $0.contains("STARTTLS") || $0.contains("AUTH") }, "\(response.headerLines)")
        #expect(fixture.exchange.counters.authSuccesses == 0 && fixture.exchange.counters.messagesAccepted == 0)
    }

    @Test func implicitTLSOffersAuthAtOnce() async throws {
        let fixture = try ExchangeFixture(security: .implicitTLS)
        defer { fixture.shutdown() }
        #expect(fixture.exchange.url.hasPrefix("smtps://"))
        let response = try await BlockingExecutor.run { try fixture.send(bearer: try fixture.fetchToken()) }
        #expect(response.ok, "\(response.codeText) \(response.headerLines)")
        #expect(!response.headerLines.contains("250-STARTTLS"))
        #expect(response.headerLines.contains("250-AUTH LOGIN XOAUTH2"))
    }
}
