import Foundation
public import SecretWatchCurl

/// The SMTP part of `check --connect`, like ISE's "Test Connection": connect, EHLO, STARTTLS (or implicit
/// TLS), AUTH XOAUTH2 with a token from the provider, QUIT — no mail. Each stage reports its timing (from
/// libcurl's trace) and, when it failed, the classified reason; later stages are not attempted.
public struct SMTPConnectionTest: Sendable {
    public let config: SMTPConfig
    public let tokens: any TokenProvider
    public let transportOptions: [CurlOption]

    public init(config: SMTPConfig, tokens: any TokenProvider, transportOptions: [CurlOption] = []) {
        self.config = config
        self.tokens = tokens
        self.transportOptions = transportOptions
    }

    public func run() async -> [ConnectionStageResult] {
        let token: AccessToken
        do {
            token = try await tokens.token(for: config.auth.name)
        } catch {
            let failure = (error as? any OperatorErrorConvertible)?.operatorError
                ?? SMTPFailureReason.tokenUnavailable.failure(detail: Redactor.scrub("\(error)"))
            return [ConnectionStageResult(stage: "smtp", duration: 0, summary: "", failure: failure)]
        }
        var stages = await attempt(token)
        if let auth = stages.last, auth.stage == "AUTH", auth.failure?.reason == "smtp_auth_rejected" {
            // Like a real send: a refused token is replaced once before the verdict.
            await tokens.invalidate(credential: config.auth.name, token: token)
            if let fresh = try? await tokens.token(for: config.auth.name) {
                stages = await attempt(fresh)
                if let last = stages.last, last.stage == "AUTH" || last.stage == "QUIT" {
                    stages[stages.count - 1].summary += stages[stages.count - 1].summary.isEmpty ? "" : " "
                    stages[stages.count - 1].summary += "(after one retry with a fresh token)"
                }
            }
        }
        return stages
    }

    private func attempt(_ token: AccessToken) async -> [ConnectionStageResult] {
        let transport = SMTPTransport(config: config, extraOptions: transportOptions)
        let config = config
        return await BlockingExecutor.run { () -> [ConnectionStageResult] in
            guard let (setup, quit, quitDuration) = transport.connectOnly(token: token) else {
                let failure = OperatorError(reason: "smtp_transient", message: "the SMTP client could not be set up",
                                            fix: "check the libcurl installation (smtp, smtps and TLS support)", transient: false)
                return [ConnectionStageResult(stage: "connect", duration: 0, summary: "", failure: failure)]
            }
            return Self.stages(setup, quit: quit, quitDuration: quitDuration, config: config)
        }
    }

    /// Splits one traced set-up into stages. Pure (tested on recorded traces).
    static func stages(_ response: CurlResponse, quit: [String]?, quitDuration: TimeInterval, config: SMTPConfig) -> [ConnectionStageResult] {
        let exchange = SMTPExchange(trace: response.trace)
        let failure: OperatorError? = response.code == .ok ? nil
            : SMTPClassifier.classify(response, recipients: [], proxyConfigured: config.proxy != nil).failure
        var results: [ConnectionStageResult] = []
        var last = 0.0
        func add(_ stage: String, until: Double?, summary: String) {
            let end = until ?? last
            results.append(ConnectionStageResult(stage: stage, duration: max(0, end - last), summary: summary))
            last = end
        }
        let greeting = exchange.steps.first { $0.verb == "GREETING" }
        let ehlos = exchange.steps.filter { $0.verb == "EHLO" }
        let starttls = exchange.step("STARTTLS")
        let auth = exchange.step("AUTH")
        let target = "\(config.host):\(config.port)" + (config.proxy != nil ? " through the proxy" : "")
        guard let greeting, let greetingReply = greeting.finalReply, greetingReply.isPositive else {
            results.append(ConnectionStageResult(stage: "connect", duration: response.totalTime, summary: "",
                                                 failure: failure ?? SMTPFailureReason.smtpTransient.failure(detail: greeting?.finalReply?.line)))
            return results
        }
        add("connect", until: greeting.answeredAt, summary: "\(target): \(greetingReply.line)")
        if let first = ehlos.first {
            let offers = first.replies.dropFirst().map { String($0.line.dropFirst(4)) }
            add("EHLO", until: first.answeredAt, summary: "offers " + (offers.isEmpty ? "nothing" : offers.joined(separator: ", ")))
        }
        if config.tls == .starttls {
            guard let starttls, ehlos.count >= 2 else {
                results.append(ConnectionStageResult(stage: "STARTTLS", duration: 0, summary: "",
                                                     failure: failure ?? SMTPFailureReason.starttlsUnavailable.failure(detail: nil)))
                return results
            }
            add("STARTTLS", until: ehlos[1].answeredAt ?? starttls.answeredAt, summary: "TLS established, certificate verified; EHLO again")
        } else if ehlos.isEmpty {
            results.append(ConnectionStageResult(stage: "TLS", duration: response.totalTime - last, summary: "", failure: failure))
            return results
        }
        guard let auth, let authReply = auth.finalReply, authReply.code == 235, failure == nil else {
            results.append(ConnectionStageResult(stage: "AUTH", duration: max(0, response.totalTime - last), summary: "",
                                                 failure: failure ?? SMTPFailureReason.smtpAuthRejected.failure(detail: auth?.finalReply?.line)))
            return results
        }
        add("AUTH", until: auth.answeredAt, summary: "XOAUTH2 as \(config.auth.mailbox): \(authReply.line)")
        if let reply = quit?.last.flatMap(SMTPReply.init), reply.isPositive {
            results.append(ConnectionStageResult(stage: "QUIT", duration: quitDuration, summary: reply.line))
        } else {
            let failure = SMTPFailureReason.smtpTransient.failure(detail: quit?.joined(separator: " ") ?? "no answer to QUIT")
            results.append(ConnectionStageResult(stage: "QUIT", duration: quitDuration, summary: "", failure: failure))
        }
        return results
    }
}
