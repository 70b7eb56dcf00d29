import Foundation
internal import SecretWatchCurl

/// Client-credentials token requests to the Entra token endpoint over libcurl: TLS always verified (system
/// trust store, or `ca_file`), connect and total timeouts, optional proxy, answer size capped, every failure
/// classified. The blocking transfer runs on `BlockingExecutor`'s threads, never on the cooperative pool.
public struct EntraTokenClient: Sendable {
    public let settings: TokenEndpointSettings
    private let environment: [String: String]

    public static let userAgent = "secretwatch/\(SecretWatchVersion.string)"

    public init(settings: TokenEndpointSettings, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.settings = settings
        self.environment = environment
    }

    /// One request; `startedAt` is the (injected) clock's now, from which the token's expiry is counted.
    public func request(startedAt: Date) async -> TokenRequestOutcome {
        let monotonic = ContinuousClock.now
        let (result, status) = await BlockingExecutor.run { [settings, environment] in
            Self.perform(settings: settings, environment: environment, startedAt: startedAt)
        }
        let elapsed = ContinuousClock.now - monotonic
        let duration = elapsed.timeInterval
        return TokenRequestOutcome(credential: settings.credential, startedAt: startedAt, duration: duration,
                                   result: result, httpStatus: status)
    }

    /// The blocking part: read the secret, run the transfer, classify.
    static func perform(settings: TokenEndpointSettings, environment: [String: String],
                        startedAt: Date) -> (Result<AccessToken, TokenFailure>, Int?) {
        let secret: String
        do {
            secret = try SecretReader.read(settings.secret, environment: environment)
        } catch {
            return (.failure(TokenFailure(reason: .secretUnreadable, values: TokenFailureClassifier.baseValues(settings),
                                          detail: "\(error)")), nil)
        }
        let response: CurlResponse
        do {
            let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
            try easy.set(options(settings, body: TokenFormBody.clientCredentials(clientId: settings.clientId, secret: secret,
                                                                                 scope: settings.scope)))
            response = easy.perform()
        } catch {
            var values = TokenFailureClassifier.baseValues(settings)
            values["curl"] = "\(error)"
            return (.failure(TokenFailure(reason: .networkError, values: values, detail: "\(error)")), nil)
        }
        let status = response.responseCode > 0 ? response.responseCode : nil
        if let failure = TokenFailureClassifier.classify(response, settings: settings) {
            return (.failure(failure), status)
        }
        guard let grant = TokenGrant.parse(response.body) else {
            // classify() returns nil only for a parseable grant; this is a programming error.
            preconditionFailure("token answer classified as success but not parseable")
        }
        let token = AccessToken(value: grant.accessToken, obtainedAt: startedAt,
                                expiresAt: startedAt.addingTimeInterval(TimeInterval(grant.expiresIn)))
        return (.success(token), status)
    }

    static func options(_ s: TokenEndpointSettings, body: String) -> [CurlOption] {
        var options: [CurlOption] = [
            .url(s.endpoint), .connectTimeout(s.connectTimeout), .timeout(s.timeout), .tls12OrNewer,
            .maxResponseBytes(s.maxResponseBytes), .userAgent(userAgent),
            // An empty proxy turns off libcurl's own reading of the environment: ProxyChoice already did that.
            .proxy(s.proxy.url ?? ""),
            .post(body: body, headers: ["Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
                                        "Expect:"]),
        ]
        if let noProxy = s.proxy.noProxy { options.append(.noProxy(noProxy)) }
        if let caFile = s.caFile { options.append(.caFile(caFile)) }
        return options
    }
}
