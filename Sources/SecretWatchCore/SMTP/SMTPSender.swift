import FoundationEssentials
import Synchronization

/// Sends messages with the cached OAuth token, and handles the token's part in failures: when the server
/// refuses a token it was handed (a 535, an XOAUTH2 error challenge `334 <base64 JSON>`, a login libcurl gave up
/// on — `smtp_auth_rejected`), the token is invalidated, a fresh one fetched, and the message sent once more
/// before the failure is reported (Exchange may have revoked or not yet accepted the cached one). A token the
/// provider cannot produce fails the attempt with the provider's own reason and fix.
public struct SMTPSender: Sendable {
    public let transport: SMTPTransport
    public let tokens: any TokenProvider
    /// The credential whose token authenticates the mailbox.
    public let credential: String
    /// Decides how long one token is used for a series without asking the provider again.
    let clock: any WallClock

    public init(transport: SMTPTransport, tokens: any TokenProvider, credential: String, clock: any WallClock = SystemClock()) {
        self.transport = transport
        self.tokens = tokens
        self.credential = credential
        self.clock = clock
    }

    /// What a send did, including how many tokens it asked for (a retry after 535 asks twice; a message sent
    /// later in a series with the token of the one before asks none).
    public struct Attempt: Sendable {
        public var result: SMTPSendResult
        public var tokenRequests: Int
        public var retriedAfter535: Bool
    }

    /// One message of a series.
    public struct Outgoing: Sendable {
        public var content: Data
        public var from: String
        public var to: [String]

        public init(content: Data, from: String, to: [String]) {
            self.content = content
            self.from = from
            self.to = to
        }
    }

    /// A token is used for a series only while it has this long to live; after that the provider is asked.
    static let tokenReuseMargin: TimeInterval = 60

    /// Sends one message.
    public func send(_ content: Data, from: String, to recipients: [String]) async -> Attempt {
        let box = AttemptBox()
        await send(series: Outgoing(content: content, from: from, to: recipients)) { attempt in
            box.value.withLock { $0 = attempt }
            return nil
        }
        return box.value.withLock { $0! }
    }

    /// Sends `first`, then every message `next` hands out, one after another. `next` is called exactly once per
    /// message, with its attempt, on the blocking thread that sent it (so it may write the attempt down there),
    /// and returns the message to send next or nil to stop. Consecutive messages go out from that one thread
    /// with one token, without returning to Swift's cooperative pool in between; the provider is asked again
    /// only for a 535 (then as in `send`: invalidate, fetch, send once more), after a token failure, or when
    /// the token nears its expiry.
    public func send(series first: Outgoing, next: @escaping @Sendable (Attempt) -> Outgoing?) async {
        let transport = transport, clock = clock
        var pending: Outgoing? = first
        while let message = pending {
            let started = ContinuousClock.now
            let token: AccessToken
            do {
                token = try await tokens.token(for: credential)
            } catch {
                let attempt = Self.tokenFailure(error, tokenRequests: 1, started: started)
                pending = await BlockingExecutor.run { next(attempt) }
                continue
            }
            let stop: SeriesStop = await BlockingExecutor.run {
                var message = message, started = started, tokenRequests = 1
                while true {
                    var result = Self.transfer(message, token: token, on: transport)
                    if result.authenticationRefused, result.failure?.reason == "smtp_auth_rejected" {
                        return .refused(message, started: started, tokenRequests: tokenRequests)
                    }
                    result.duration = Self.seconds(since: started)
                    guard let following = next(Attempt(result: result, tokenRequests: tokenRequests, retriedAfter535: false)) else {
                        return .done
                    }
                    guard clock.now() < token.expiresAt.addingTimeInterval(-Self.tokenReuseMargin) else { return .more(following) }
                    (message, started, tokenRequests) = (following, ContinuousClock.now, 0)
                }
            }
            switch stop {
            case .done:
                pending = nil
            case .more(let following):
                pending = following
            case .refused(let refused, let started, let requests):
                await tokens.invalidate(credential: credential, token: token)
                let fresh: AccessToken
                do {
                    fresh = try await tokens.token(for: credential)
                } catch {
                    let attempt = Self.tokenFailure(error, tokenRequests: requests + 1, started: started)
                    pending = await BlockingExecutor.run { next(attempt) }
                    continue
                }
                pending = await BlockingExecutor.run {
                    var result = Self.transfer(refused, token: fresh, on: transport)
                    result.duration = Self.seconds(since: started)
                    return next(Attempt(result: result, tokenRequests: requests + 1, retriedAfter535: true))
                }
            }
        }
    }

    private enum SeriesStop: Sendable {
        case done
        case more(Outgoing)
        case refused(Outgoing, started: ContinuousClock.Instant, tokenRequests: Int)
    }

    /// One blocking transfer. A session that failed below the message level may be half-open: the next one
    /// starts afresh.
    private static func transfer(_ message: Outgoing, token: AccessToken, on transport: SMTPTransport) -> SMTPSendResult {
        let result = transport.send(message.content, from: message.from, to: message.to, token: token)
        if let failure = result.failure, failure.reason != "recipient_rejected" {
            transport.closeConnections()
        }
        return result
    }

    private static func tokenFailure(_ error: any Error, tokenRequests: Int, started: ContinuousClock.Instant) -> Attempt {
        let failure = (error as? any OperatorErrorConvertible)?.operatorError
            ?? SMTPFailureReason.tokenUnavailable.failure(detail: Redactor.scrub("\(error)"))
        let result = SMTPSendResult(recipients: [], failure: failure, reply: nil, authenticationRefused: false,
                                    duration: seconds(since: started))
        return Attempt(result: result, tokenRequests: tokenRequests, retriedAfter535: false)
    }

    private static func seconds(since started: ContinuousClock.Instant) -> TimeInterval {
        let d = ContinuousClock.now - started
        return d.timeInterval
    }
}

/// Carries the single attempt of `send` out of its series callback.
private final class AttemptBox: Sendable {
    let value = Mutex<SMTPSender.Attempt?>(nil)
}
