import Foundation
public import SecretWatchCurl

extension ConnectionTest {
    /// The stages of `check --connect` for a configuration, in order: the token request, then the SMTP session
    /// (connect, EHLO, STARTTLS, AUTH XOAUTH2, QUIT — no mail) authenticated with that token.
    public static func standard(config: Config, environment: [String: String] = ProcessInfo.processInfo.environment,
                                smtpOptions: [CurlOption] = []) -> ConnectionTest {
        let client = EntraTokenClient(settings: TokenEndpointSettings(config: config, environment: environment),
                                      environment: environment)
        let smtp = config.smtp
        return ConnectionTest(stages: [TokenConnectionStage(client: client)]) { context in
            guard let token = context.token else { return [] }
            let tokens = ConnectionTestTokens(client: client, first: token)
            return await SMTPConnectionTest(config: smtp, tokens: tokens, transportOptions: smtpOptions).run()
        }
    }
}
