import Foundation
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// A throwaway PKI, a trusted stand-in token endpoint on 127.0.0.1 and the settings to reach it.
/// `close()` stops the server and deletes the certificates.
final class TokenEndpointFixture: Sendable {
    let pki: ThrowawayPKI
    let ca: ThrowawayPKI.Authority
    let standIn: TokenStandIn
    let secretFile: String

    static let tenant = "0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91"
    static let client = "5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a"
    static let scope = "https://outlook.office365.com/.default"

    init(behaviour: TokenStandInBehaviour = .success(accessToken: "stand-in-access-token-0001", expiresIn: 3599),
         secret: String = "stand-in-secret-Value~1", names: [String] = ["127.0.0.1", "localhost"],
         maximumTLS: TLSVersion? = nil, keepAlive: Bool = false) throws {
        pki = try ThrowawayPKI()
        ca = try pki.makeAuthority(named: "stand-in-ca")
        let identity = try pki.issue(named: "token-endpoint", by: ca, for: names)
        standIn = try TokenStandIn(identity: identity, behaviour: behaviour, maximumTLS: maximumTLS, keepAlive: keepAlive)
        secretFile = try pki.write(secret + "\n", to: "client-secret")
        chmod(secretFile, 0o600)
    }

    func settings(credential: String = "smtp", caFile: String? = nil, endpoint: String? = nil,
                  connectTimeout: TimeInterval = 5, timeout: TimeInterval = 10, proxy: ProxyChoice = .direct,
                  maxResponseBytes: Int = TokenEndpointSettings.defaultMaxResponseBytes) -> TokenEndpointSettings {
        TokenEndpointSettings(credential: credential, endpoint: endpoint ?? standIn.tokenEndpoint(tenant: Self.tenant),
                              tenantId: Self.tenant, clientId: Self.client, scope: Self.scope, secret: .file(secretFile),
                              connectTimeout: connectTimeout, timeout: timeout, caFile: caFile ?? ca.certificatePath,
                              proxy: proxy, maxResponseBytes: maxResponseBytes)
    }

    func client(_ settings: TokenEndpointSettings? = nil) -> EntraTokenClient {
        EntraTokenClient(settings: settings ?? self.settings(), environment: [:])
    }

    /// One request; the failure it produced (fails the test when it succeeded).
    func failure(_ settings: TokenEndpointSettings? = nil) async throws -> TokenFailure {
        let outcome = await client(settings).request(startedAt: Date())
        return try #require(outcome.failure, "expected a failure, got \(outcome.result)")
    }

    func close() {
        standIn.stop()
        pki.remove()
    }
}
