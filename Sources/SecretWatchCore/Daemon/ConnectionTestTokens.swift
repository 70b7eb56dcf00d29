import Foundation
import Synchronization

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
