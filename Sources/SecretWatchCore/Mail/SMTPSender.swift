import Foundation

/// Sends one message with the cached OAuth token, and handles the token's part in failures: when the
/// server answers 535 to a token it was handed, the token is invalidated, a fresh one fetched, and the
/// message sent once more before the failure is classified (Exchange may have revoked or not yet accepted
/// the cached one). A token the provider cannot produce fails the attempt with the provider's own reason.
public struct SMTPSender: Sendable {
    public let transport: SMTPTransport
    public let tokens: any TokenProvider
    /// The credential whose token authenticates the mailbox.
    public let credential: String

    public init(transport: SMTPTransport, tokens: any TokenProvider, credential: String) {
        self.transport = transport
        self.tokens = tokens
        self.credential = credential
    }

    /// What a send did, including how many tokens it asked for (a retry after 535 asks twice).
    public struct Attempt: Sendable {
        public var result: SMTPSendResult
        public var tokenRequests: Int
        public var retriedAfter535: Bool
    }

    public func send(_ content: Data, from: String, to recipients: [String]) async -> Attempt {
        var tokenRequests = 0
        let started = ContinuousClock.now
        func elapsed() -> TimeInterval {
            let d = ContinuousClock.now - started
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        func tokenFailure(_ error: any Error) -> Attempt {
            let failure = (error as? OperatorError)
                ?? SMTPReason.find("token_unavailable").error(detail: Redactor.scrub("\(error)"))
            let result = SMTPSendResult(recipients: [], failure: failure, reply: nil, authenticationRefused: false,
                                        duration: elapsed())
            return Attempt(result: result, tokenRequests: tokenRequests, retriedAfter535: false)
        }
        var token: AccessToken
        do {
            tokenRequests += 1
            token = try await tokens.token(for: credential)
        } catch {
            return tokenFailure(error)
        }
        var result = await run(content, from: from, to: recipients, token: token)
        guard result.authenticationRefused, result.failure?.reason == "smtp_auth_rejected" else {
            result.duration = elapsed()
            return Attempt(result: result, tokenRequests: tokenRequests, retriedAfter535: false)
        }
        await tokens.invalidate(credential: credential, token: token)
        do {
            tokenRequests += 1
            token = try await tokens.token(for: credential)
        } catch {
            return tokenFailure(error)
        }
        result = await run(content, from: from, to: recipients, token: token)
        result.duration = elapsed()
        return Attempt(result: result, tokenRequests: tokenRequests, retriedAfter535: true)
    }

    private func run(_ content: Data, from: String, to recipients: [String], token: AccessToken) async -> SMTPSendResult {
        let transport = transport
        return await BlockingExecutor.run {
            let result = transport.send(content, from: from, to: recipients, token: token)
            // A session that failed below the message level may be half-open: start the next one afresh.
            if let failure = result.failure, failure.reason != "recipient_rejected" {
                transport.closeConnections()
            }
            return result
        }
    }
}
