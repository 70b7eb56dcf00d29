import FoundationEssentials
import Synchronization

/// `secretwatch check --connect`, like ISE's "Test Connection": runs the stages in order, timing each, and stops
/// at the first failure (later stages need what it would have produced). `standard(config:)` lists the stages.
public struct ConnectionTest: Sendable {
    public typealias FollowUp = @Sendable (ConnectionTestContext) async -> [ConnectionStageResult]

    public var stages: [any ConnectionStage]
    /// Runs after every stage passed and reports several stages at once (the SMTP session: connect, EHLO,
    /// STARTTLS, AUTH, QUIT are timed from one libcurl transfer).
    public var followUp: FollowUp?

    public init(stages: [any ConnectionStage], followUp: FollowUp? = nil) {
        self.stages = stages
        self.followUp = followUp
    }

    /// Runs the stages; `report` sees each result as soon as it is known (the CLI prints it at once).
    public func run(report: @Sendable (ConnectionStageResult) -> Void = { _ in }) async -> [ConnectionStageResult] {
        let context = ConnectionTestContext()
        var results: [ConnectionStageResult] = []
        for stage in stages {
            let started = ContinuousClock.now
            let result: ConnectionStageResult
            do {
                let summary = try await stage.run(context)
                result = ConnectionStageResult(stage: stage.name, duration: Self.seconds(since: started), summary: Redactor.scrub(summary))
            } catch {
                result = ConnectionStageResult(stage: stage.name, duration: Self.seconds(since: started), summary: "",
                                               failure: Self.operatorError(error))
            }
            results.append(result)
            report(result)
            if !result.ok { return results }
        }
        if let followUp {
            for result in await followUp(context) {
                results.append(result)
                report(result)
            }
        }
        return results
    }

    static func operatorError(_ error: any Error) -> OperatorError {
        if let convertible = error as? any OperatorErrorConvertible { return convertible.operatorError }
        return OperatorError(reason: "internal_error", message: "\(error)", fix: "report this as a secretwatch bug", transient: false)
    }

    static func seconds(since start: ContinuousClock.Instant) -> TimeInterval {
        let elapsed = ContinuousClock.now - start
        return elapsed.timeInterval
    }
}

/// One stage of `secretwatch check --connect`: the token request first, then (mailer) SMTP connect, EHLO,
/// STARTTLS, AUTH, QUIT. A stage returns a one-line summary of what it found (never a secret or a token) or
/// throws an `OperatorErrorConvertible` failure; later stages read what earlier ones left in the context.
public protocol ConnectionStage: Sendable {
    /// Short name printed in the first column (`token`, `connect`, `ehlo`, …).
    var name: String { get }
    func run(_ context: ConnectionTestContext) async throws -> String
}

/// One stage of `secretwatch check --connect` (token request, SMTP connect, EHLO, STARTTLS, AUTH, QUIT), like
/// ISE's "Test Connection": what was tried, how long it took, and either what it found or the classified failure.
public struct ConnectionStageResult: Sendable, Equatable {
    public var stage: String
    public var duration: TimeInterval
    /// What succeeded (e.g. "token lifetime 3599 s"); never a secret or a token.
    public var summary: String
    public var failure: OperatorError?

    public init(stage: String, duration: TimeInterval, summary: String, failure: OperatorError? = nil) {
        self.stage = stage
        self.duration = duration
        self.summary = summary
        self.failure = failure
    }

    public var ok: Bool { failure == nil }

    /// `token      ok      182 ms  token lifetime 3599 s` / `… FAILED … reason: message\n  fix: …`
    public func render() -> String {
        let ms = String(cFormat: "%6.0f ms", duration * 1000)
        let name = stage.fitted(to: 10)
        if let failure {
            return "\(name) FAILED  \(ms)  \(failure.reason): \(failure.message)\n" + String(repeating: " ", count: 30) + "fix: \(failure.fix)"
        }
        return "\(name) ok      \(ms)  \(summary)"
    }
}

/// What stages of one connection test hand to the stages after them (the token for SMTP AUTH).
/// Lives for one `check --connect` run, in memory only.
public final class ConnectionTestContext: Sendable {
    private let state = Mutex<AccessToken?>(nil)

    public init() {}

    /// The token the token stage obtained.
    public var token: AccessToken? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

/// The token provider of one connection test: the token the token stage obtained, and, once SMTP AUTH refused
/// it (invalidated), one fresh request — like a real send's single retry. Nothing is cached or stored.
final class ConnectionTestTokens: TokenProvider {
    private let client: EntraTokenClient
    private let current: Mutex<AccessToken?>

    init(client: EntraTokenClient, first: AccessToken) {
        self.client = client
        current = Mutex(first)
    }

    func token(for credential: String) async throws -> AccessToken {
        if let token = current.withLock({ $0 }) { return token }
        switch await client.request(startedAt: Date()).result {
        case .success(let token):
            current.withLock { $0 = token }
            return token
        case .failure(let failure):
            throw failure
        }
    }

    func invalidate(credential: String, token: AccessToken) async {
        current.withLock { if $0 == token { $0 = nil } }
    }
}

public import SecretWatchCurl

extension ConnectionTest {
    /// The stages of `check --connect` for a configuration, in order: the token request, then the SMTP session
    /// (connect, EHLO, STARTTLS, AUTH XOAUTH2, QUIT — no mail) authenticated with that token.
    /// The chains the token endpoint and the SMTP server present are recorded in `certificates` when given.
    public static func standard(config: Config, environment: [String: String] = ProcessInfo.processInfo.environment,
                                smtpOptions: [CurlOption] = [], certificates: EndpointCertificates? = nil) -> ConnectionTest {
        let client = EntraTokenClient(settings: TokenEndpointSettings(config: config, environment: environment),
                                      environment: environment, certificates: certificates)
        let smtp = config.smtp
        return ConnectionTest(stages: [TokenConnectionStage(client: client)]) { context in
            guard let token = context.token else { return [] }
            let tokens = ConnectionTestTokens(client: client, first: token)
            return await SMTPConnectionTest(config: smtp, tokens: tokens, transportOptions: smtpOptions, certificates: certificates).run()
        }
    }
}

/// The `token` stage of `check --connect`: one live token request (no cache, nothing stored). Success prints
/// the lifetime Microsoft granted and where it came from, never the token; the token is left in the context
/// for the SMTP AUTH stage.
public struct TokenConnectionStage: ConnectionStage {
    public let name = "token"
    public let client: EntraTokenClient

    public init(client: EntraTokenClient) {
        self.client = client
    }

    public func run(_ context: ConnectionTestContext) async throws -> String {
        let outcome = await client.request(startedAt: Date())
        switch outcome.result {
        case .success(let token):
            context.token = token
            let (host, _) = client.settings.hostAndPort
            return "token lifetime \(Int(token.lifetime.rounded())) s (expires \(Timestamps.rfc3339(token.expiresAt))) from \(host) for \(client.settings.scope)"
        case .failure(let failure):
            throw failure
        }
    }
}

public import SecretWatchCurl

/// The SMTP part of `check --connect`, like ISE's "Test Connection": connect, EHLO, STARTTLS (or implicit
/// TLS), AUTH XOAUTH2 with a token from the provider, QUIT — no mail. Each stage reports its timing (from
/// libcurl's trace) and, when it failed, the classified reason; later stages are not attempted.
public struct SMTPConnectionTest: Sendable {
    public let config: SMTPConfig
    public let tokens: any TokenProvider
    public let transportOptions: [CurlOption]
    /// Where the server's chain is recorded (nil: not recorded).
    public let certificates: EndpointCertificates?

    public init(config: SMTPConfig, tokens: any TokenProvider, transportOptions: [CurlOption] = [],
                certificates: EndpointCertificates? = nil) {
        self.config = config
        self.tokens = tokens
        self.transportOptions = transportOptions
        self.certificates = certificates
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
        let transport = SMTPTransport(config: config, extraOptions: transportOptions, certificates: certificates)
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
