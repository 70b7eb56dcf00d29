import FoundationEssentials

public import SecretWatchCurl

/// One SMTP client session owner: a libcurl easy handle configured from `SMTPConfig`. libcurl keeps the
/// authenticated connection in the handle's cache, so consecutive messages through the same transport (and
/// the same token) reuse one session. Not thread-safe: each delivery worker owns one, and uses it only inside
/// `BlockingExecutor.run` (`@unchecked Sendable` for that hand-over; never used by two threads at once).
public final class SMTPTransport: @unchecked Sendable {
    public let config: SMTPConfig
    /// Extra libcurl options (tests: `.resolve` to check host-name verification).
    public let extraOptions: [CurlOption]
    /// Where the chain the server presents on a new connection is recorded (nil: not recorded).
    public let certificates: EndpointCertificates?
    private var easy: CurlEasy?

    public init(config: SMTPConfig, extraOptions: [CurlOption] = [], certificates: EndpointCertificates? = nil) {
        self.config = config
        self.extraOptions = extraOptions
        self.certificates = certificates
    }

    /// `host:port` of the server, the key its chain is recorded under.
    public var endpoint: String {
        config.host.contains(":") ? "[\(config.host)]:\(config.port)" : "\(config.host):\(config.port)"
    }

    /// `smtp://host:587/<ehlo name>` (STARTTLS) or `smtps://host:465/<ehlo name>` (implicit TLS).
    public var url: String {
        let scheme = config.tls == .implicit ? "smtps" : "smtp"
        let host = config.host.contains(":") ? "[\(config.host)]" : config.host
        return "\(scheme)://\(host):\(config.port)/\(Self.ehloName)"
    }

    static let ehloName: String = {
        let name = ProcessInfo.processInfo.hostName
        let ok = !name.isEmpty && name.count < 200 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
        return ok ? name : "localhost"
    }()

    /// The options every session needs: TLS always required, verification always on.
    func baseOptions() -> [CurlOption] {
        var options: [CurlOption] = [
            .url(url), .requireTLS, .tls12OrNewer,
            .connectTimeout(config.connectTimeout), .timeout(config.timeout),
        ]
        if let ca = config.caFile { options.append(.caFile(ca)) }
        if certificates != nil { options.append(.certificateInfo) }
        if let proxy = config.proxy {
            options += [.proxy(proxy), .httpProxyTunnel(true)]
        } else {
            options.append(.proxy("")) // ignore *_proxy from the environment: only smtp.proxy counts
        }
        return options + extraOptions
    }

    private func handle() throws -> CurlEasy {
        if let easy {
            try easy.reset()
            return easy
        }
        let created = try CurlEasy(secrets: Redactor.shared.curlSecrets)
        easy = created
        return created
    }

    /// Sends one message (blocking). Recipients the server refuses do not stop the others. An empty recipient
    /// list is refused here, before any connection: libcurl would send HELP or VRFY instead of a mail.
    public func send(_ content: Data, from: String, to recipients: [String], token: AccessToken) -> SMTPSendResult {
        guard !recipients.isEmpty else {
            return SMTPSendResult(recipients: [], failure: SMTPFailureReason.noRecipients.failure(detail: nil), reply: nil,
                                  authenticationRefused: false, duration: 0)
        }
        do {
            let easy = try handle()
            try easy.set(baseOptions())
            try easy.set([.xoauth2(user: config.auth.mailbox, bearer: token.value), .mailFrom(from),
                          .mailRecipients(recipients), .allowRecipientFailures(true), .upload(content)])
            try easy.enableTrace()
            let response = easy.perform()
            certificates?.record(endpoint: endpoint, pems: response.presentedCertificates)
            return SMTPClassifier.classify(response, recipients: recipients, proxyConfigured: config.proxy != nil)
        } catch {
            easy = nil
            let failure = OperatorError(reason: "smtp_transient", message: "the SMTP client could not be set up",
                                        fix: "check the libcurl installation (it must support smtp, smtps and TLS)",
                                        detail: "\(error)", transient: true)
            return SMTPSendResult(recipients: [], failure: failure, reply: nil, authenticationRefused: false, duration: 0)
        }
    }

    /// Closes the cached connection (after a failure that may have left it unusable, or before a token change).
    public func closeConnections() {
        easy = nil
    }

    /// Runs the session set-up only (greeting, EHLO, STARTTLS, AUTH) on a fresh handle, then says QUIT on the
    /// same connection. Returns the set-up transfer, the QUIT reply lines (nil when there was no connection to
    /// quit or no answer) and the QUIT's duration, for `check --connect`. Blocking.
    public func connectOnly(token: AccessToken) -> (setup: CurlResponse, quit: [String]?, quitDuration: TimeInterval)? {
        guard let easy = try? CurlEasy(secrets: Redactor.shared.curlSecrets) else { return nil }
        do {
            try easy.set(baseOptions())
            try easy.set([.xoauth2(user: config.auth.mailbox, bearer: token.value), .connectOnly])
            try easy.enableTrace()
        } catch {
            return nil
        }
        let response = easy.perform()
        certificates?.record(endpoint: endpoint, pems: response.presentedCertificates)
        guard response.code == .ok else { return (response, nil, 0) }
        let started = ContinuousClock.now
        let quit = easy.rawExchange("QUIT\r\n", timeout: min(config.connectTimeout, 10))
        let d = ContinuousClock.now - started
        _ = easy.close()
        return (response, quit, d.timeInterval)
    }
}

/// What one SMTP session did with one message: which recipients the server took, which it refused, and the
/// classified failure when the message did not go out.
public struct SMTPSendResult: Sendable, Equatable {
    public struct RecipientResult: Sendable, Equatable {
        /// What this attempt settled for one recipient.
        public enum State: String, Sendable {
            /// The server took the message for this recipient: its RCPT TO was answered 2xx and the message was
            /// accepted at the end of DATA. A 250 to RCPT TO alone is not acceptance.
            case accepted
            /// The server refused this recipient for good (5xx to RCPT TO, or the whole message refused for good).
            case refused
            /// Nothing settled: a 4xx to RCPT TO, or the message was not accepted. The recipient goes into the
            /// envelope of the next attempt.
            case pending
        }

        public var address: String
        public var state: State
        /// The reply that settled the state (the RCPT TO reply; the end-of-DATA verdict when that decided).
        public var reply: SMTPReply?

        public var accepted: Bool { state == .accepted }
    }

    /// Per recipient, in envelope order (empty when the session failed before RCPT TO).
    public var recipients: [RecipientResult]
    /// Nil when the server accepted the message (for at least one recipient).
    public var failure: OperatorError?
    /// The reply that decided the outcome (the failing one, or the final `250` after DATA).
    public var reply: SMTPReply?
    /// The server answered 535 to AUTH (the token may be stale: worth one retry with a fresh token).
    public var authenticationRefused: Bool
    /// Seconds the transfer took.
    public var duration: TimeInterval
    /// Whether the server accepted the message for at least one recipient.
    public var delivered: Bool { failure == nil }

    public var refused: [RecipientResult] { recipients.filter { $0.state == .refused } }
    public var accepted: [String] { recipients.filter(\.accepted).map(\.address) }

    /// The reply text for the history: the deciding reply and every refused recipient's reply.
    public var replyText: String? {
        var lines: [String] = []
        if let reply { lines.append(reply.line) }
        for r in refused { lines.append("refused <\(r.address)>: \(r.reply?.line ?? "no reply")") }
        return lines.isEmpty ? nil : Redactor.scrub(lines.joined(separator: "\n"))
    }
}
