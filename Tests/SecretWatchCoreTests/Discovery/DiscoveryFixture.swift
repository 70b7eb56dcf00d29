import Foundation
import Logging
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// A daemon whose configuration discovers the token stand-in's Graph (the SMTP app reads it), on a manual clock,
/// with the Graph applications a test sets. The SMTP secret is `secret`; its app is `TokenEndpointFixture.client`.
final class DiscoveryFixture: Sendable {
    let token: TokenEndpointFixture
    let clock: ManualClock
    let sink = MemoryLogSink()
    let database: String
    let configPath: String
    let secret: String

    static let start = Date(timeIntervalSince1970: 1_800_000_000) // 2027-01-15T08:00:00Z
    static let day: TimeInterval = 86_400

    /// - Parameters:
    ///   - expires: the SMTP credential's configured `secret_expires`.
    ///   - extra: more of the `discovery.tenants` list (indented as a list item of it), or other sections.
    /// - Parameter auth: `smtp.auth`'s credential lines instead of the secret file and `secret_expires`.
    init(secret: String = "Zq8~stand-in-secret-in-use", expires: String = "2027-12-28", tenantExtra: String = "",
         discoveryExtra: String = "", configExtra: String = "", auth: ((TokenEndpointFixture) throws -> [String])? = nil) throws {
        self.secret = secret
        token = try TokenEndpointFixture(secret: secret, keepAlive: true)
        clock = ManualClock(now: Self.start)
        database = token.pki.directory + "/discovery.db"
        let base = try String(contentsOfFile: try CheckConnectConfig.write(in: token, database: database, expires: expires,
                                                                           auth: try auth?(token)), encoding: .utf8)
        configPath = try token.pki.write(base + """

            discovery:
              graph_endpoint: https://127.0.0.1:\(token.standIn.port)
              \(discoveryExtra)
              tenants:
                - name: contoso
                  use_smtp_credential: true
                  scope: \(GraphStandIn.scope)
            \(tenantExtra)
            \(configExtra)
            """, to: "discovery.yml")
        graph.setApplications([])
    }

    var graph: GraphStandIn { token.standIn.graph }
    var config: Config { get throws { try ConfigLoader(environment: [:]).load(path: configPath).config } }

    func daemon() throws -> Daemon {
        try Daemon(config: try config, clock: clock,
                   logger: Logger(label: "secretwatch") { [sink] in KeyValueLogHandler(label: $0, level: .info, sink: sink) })
    }

    /// The SMTP app with the given secrets (`(secret value, created days before start, expires days after start)`).
    func smtpApp(_ secrets: [(value: String, createdDaysAgo: Double, expiresInDays: Double)], name: String = "ISE mail",
                 certificates: [StandInKeyCredential] = []) -> StandInApplication {
        StandInApplication(
            id: "aaaaaaaa-0000-4000-8000-000000000001", appId: TokenEndpointFixture.client, displayName: name,
            passwordCredentials: secrets.map { s in
                // The key id follows the secret, so a secret keeps its id when others come and go.
                StandInPasswordCredential(keyId: Self.keyId(of: s.value), displayName: "secret \(s.value.prefix(3))",
                                          secret: s.value, startDateTime: Self.start.addingTimeInterval(-s.createdDaysAgo * Self.day),
                                          endDateTime: Self.start.addingTimeInterval(s.expiresInDays * Self.day))
            },
            keyCredentials: certificates)
    }

    static func certificate(_ n: Int, expiresInDays: Double) -> StandInKeyCredential {
        StandInKeyCredential(keyId: String(format: "ce70ce70-0000-4000-8000-%012d", n), displayName: "CN=cert \(n)",
                             customKeyIdentifier: String(format: "%040X", n), startDateTime: start.addingTimeInterval(-30 * day),
                             endDateTime: start.addingTimeInterval(expiresInDays * day))
    }

    /// The key id `smtpApp` gives a secret.
    static func keyId(of secret: String) -> String {
        let n = secret.unicodeScalars.reduce(0) { ($0 &* 31 &+ Int($1.value)) % 1_000_000_000 }
        return String(format: "5ec7e700-0000-4000-8000-%012d", n)
    }

    func record(_ daemon: Daemon, _ name: String) throws -> CredentialRecord {
        try #require(try daemon.store.read { tx in try tx.credential(named: name) }, "no credential \(name)")
    }

    func active(_ daemon: Daemon, _ kind: AlarmKind, on name: String) throws -> Alarm? {
        try daemon.store.activeAlarms().first { $0.kind == kind && $0.credentialName == name }
    }

    func close() { token.close() }
}
