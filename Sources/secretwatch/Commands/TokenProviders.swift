import Foundation
import SecretWatchCore

/// Where the CLI gets OAuth tokens for SMTP AUTH. The token client (TokenCache over the Entra
/// client-credentials grant) is built on its own branch; at merge this function returns it. Until then it
/// answers every request with a classified, non-transient error, so `run` queues mail (it is delivered once a
/// real provider is wired in) and `send-test` / `check --connect` stop with a clear reason.
enum TokenProviders {
    static func make(_ config: Config) -> any TokenProvider {
        TokenClientNotBuiltIn()
    }
}

struct TokenClientNotBuiltIn: TokenProvider {
    func token(for credential: String) async throws -> AccessToken {
        throw OperatorError(reason: "token_client_missing",
                            message: "this build of secretwatch has no OAuth token client",
                            fix: "build secretwatch with the Entra token client (TokenCache) wired into TokenProviders.make",
                            transient: false)
    }

    func invalidate(credential: String, token: AccessToken) async {}
}
