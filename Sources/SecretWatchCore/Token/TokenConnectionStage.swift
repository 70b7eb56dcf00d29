import Foundation

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
