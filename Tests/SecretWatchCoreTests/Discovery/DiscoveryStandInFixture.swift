import Foundation
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// Two discovery tenants read from the token stand-in (which serves Graph too): `fabrikam`, first, with a reader
/// app of its own, and `contoso`, read with the SMTP app. Graph lists the SMTP app ("ISE SMTP") with the secret the
/// SMTP credential uses (a canary: its first three characters are the hint) and a newer one not deployed yet, and
/// a guest portal app with a secret and a certificate. Dates are relative to `now` (the real clock: the command
/// line runs on it). `close()` stops the stand-in and deletes the files.
final class DiscoveryStandInFixture: Sendable {
    static let secret = "sw7-discovery-canary-secret-Value~5e1f"
    static let readerSecret = "rd3-discovery-canary-reader-Value~77a0"
    static let token = "discovery-canary-access-token-9c2d"
    static let fabrikamTenant = "7c1e4a52-0d3b-4f6e-9a8c-2b5d7e9f1a3c"
    static let readerClient = "3f2e1d0c-9b8a-4766-8554-433221100fed"
    static let portalApp = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    static let inUseKey = "11111111-aaaa-4bbb-8ccc-000000000001"
    static let newerKey = "11111111-aaaa-4bbb-8ccc-000000000002"
    static let portalSecretKey = "22222222-aaaa-4bbb-8ccc-000000000001"
    static let portalCertKey = "22222222-aaaa-4bbb-8ccc-000000000002"

    let token: TokenEndpointFixture
    let now: Date
    let configPath: String
    let database: String

    var graph: GraphStandIn { token.standIn.graph }
    /// The SMTP credential's configured `secret_expires` (Entra's date of the secret in use is 100 days from now).
    var configuredExpiry: Date { Timestamps.parse("2031-06-30")! }
    var entraExpiry: Date { now.addingTimeInterval(100 * 86_400).wholeSeconds }
    var newerCreated: Date { now.addingTimeInterval(-3 * 86_400).wholeSeconds }

    init(now: Date = Date()) throws {
        self.now = now
        token = try TokenEndpointFixture(behaviour: .success(accessToken: Self.token, expiresIn: 3599), secret: Self.secret, keepAlive: true)
        let day: TimeInterval = 86_400
        let at = { (days: Double) in now.addingTimeInterval(days * day).wholeSeconds }
        token.standIn.graph.setApplications([
            StandInApplication(id: "a0000000-0000-4000-8000-000000000001", appId: TokenEndpointFixture.client, displayName: "ISE SMTP",
                               passwordCredentials: [
                                   StandInPasswordCredential(keyId: Self.inUseKey, displayName: "smtp 2026", secret: Self.secret,
                                                             startDateTime: at(-200), endDateTime: at(100)),
                                   StandInPasswordCredential(keyId: Self.newerKey, displayName: "smtp 2027", secret: "new-secret-not-deployed",
                                                             startDateTime: at(-3), endDateTime: at(700)),
                               ]),
            StandInApplication(id: "a0000000-0000-4000-8000-000000000002", appId: Self.portalApp, displayName: "Guest portal",
                               passwordCredentials: [
                                   StandInPasswordCredential(keyId: Self.portalSecretKey, displayName: "portal", secret: "prt-portal",
                                                             startDateTime: at(-30), endDateTime: at(20)),
                               ],
                               keyCredentials: [
                                   StandInKeyCredential(keyId: Self.portalCertKey, displayName: "CN=portal", customKeyIdentifier: "AB12",
                                                        startDateTime: at(-30), endDateTime: at(300)),
                               ]),
        ])
        let readerSecretFile = try token.pki.write(Self.readerSecret + "\n", to: "reader-secret")
        chmod(readerSecretFile, 0o600)
        database = token.pki.directory + "/sw.db"
        configPath = try CheckConnectConfig.write(in: token, database: database, expires: "2031-06-30", extra: """
            discovery:
              graph_endpoint: https://127.0.0.1:\(token.standIn.port)
              tenants:
                - name: fabrikam
                  tenant_id: \(Self.fabrikamTenant)
                  client_id: \(Self.readerClient)
                  client_secret_file: \(readerSecretFile)
                  token_endpoint: \(token.standIn.tokenEndpointTemplate)
                  scope: \(GraphStandIn.scope)
                - name: contoso
                  use_smtp_credential: true
                  scope: \(GraphStandIn.scope)
            """)
    }

    func config() throws -> Config { try ConfigLoader().load(path: configPath).config }

    /// One tenant discovered now, the way the daemon does (a token cache whose attempts are not stored).
    func discover(_ tenant: String, config: Config) async throws -> TenantDiscoveryOutcome {
        let entry = try #require(config.discovery?.tenants.first { $0.name == tenant })
        let discovery = try #require(TenantDiscovery(tenant: entry, config: config))
        let cache = TokenCache(clients: TokenEndpointSettings.all(config: config).map { EntraTokenClient(settings: $0, environment: [:]) },
                               clock: ManualClock(now: now), recorder: TokenAttemptRecorder(store: nil))
        return await discovery.run(tokens: cache, startedAt: now, environment: [:])
    }

    func close() { token.close() }
}

extension Date {
    /// Whole seconds (Graph's dates round-trip through milliseconds; the store keeps seconds).
    var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
