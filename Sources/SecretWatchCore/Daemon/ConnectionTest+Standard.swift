import Foundation

extension ConnectionTest {
    /// The stages of `check --connect` for a configuration, in order: the token request, then the SMTP
    /// stages (appended here by the mailer).
    public static func standard(config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) -> ConnectionTest {
        let token = TokenConnectionStage(client: EntraTokenClient(settings: TokenEndpointSettings(config: config, environment: environment),
                                                                  environment: environment))
        return ConnectionTest(stages: [token])
    }
}
