import Foundation
import Logging
import SecretWatchTesting
@testable import SecretWatchCore
import SecretWatchExposition
import SecretWatchHTTPServer

/// A store, alarm engine, metrics registry and HTTP server on a random 127.0.0.1 port, over a temporary
/// database (or `database`) with a fixed clock. `stop()` (or deinit) stops the server and removes the directory.
final class TestServer: @unchecked Sendable {
    static let epoch = Timestamps.parse("2026-12-01T00:00:00Z")!
    static let token = "test-api-token-0123456789"
    static let tenant = "11111111-2222-4333-8444-555555555555"

    let directory: URL
    let clock: ManualClock
    let store: Store
    let engine: AlarmEngine
    let metrics: MetricsRegistry
    let schedulerStatus: SchedulerStatus
    let server: MicroHTTPDServer
    let policy = AlarmPolicy()
    /// The webhook relay the router serves (`relay` of the initialiser; nil config: not configured).
    let relayGate: RelayGate
    let relayIntake: RelayIntake

    var port: Int { server.port }

    init(now: Date = TestServer.epoch, token: String? = TestServer.token, authReads: Bool = false,
         limits: HTTPServerLimits = HTTPServerLimits(connectionLimit: 32, connectionTimeout: 20, threadPoolSize: 2, maxBodyBytes: 1024),
         live: LiveMetrics = LiveMetrics(maxAge: .zero), schedulerInterval: TimeInterval = 60,
         plainLimit: Int = DeflateSegment.defaultPlainLimit, databaseDirectory: URL? = nil, database: String? = nil,
         relay: RelayConfig? = nil, relayTokens: [String: String] = [:], relaySender: String = "alerts@contoso.example",
         logger: Logger = Logger(label: "secretwatch.http")) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("secretwatch-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clock = ManualClock(now: now)
        store = try Store(path: database ?? (databaseDirectory ?? directory).appendingPathComponent("test.db").path, now: now,
                          health: StoreHealth(clock: clock))
        metrics = MetricsRegistry(store: store, schedulerSteps: ["expiry"], live: live, plainLimit: plainLimit)
        engine = AlarmEngine(store: store, telemetry: TelemetryHub([metrics]))
        schedulerStatus = SchedulerStatus()
        relayGate = RelayGate(config: relay, tokens: RelayTokens(byReceiver: relayTokens.mapValues { Array($0.utf8) }))
        relayIntake = RelayIntake(store: store, gate: relayGate, sender: { relaySender }, telemetry: TelemetryHub([metrics]),
                                  logger: logger)
        let router = APIRouter(store: store, engine: engine, metrics: metrics, schedulerStatus: schedulerStatus,
                               schedulerInterval: schedulerInterval, policy: policy, clock: clock,
                               auth: BearerAuth(token: token), authReads: authReads, relay: relayIntake, logger: logger)
        server = MicroHTTPDServer(host: "127.0.0.1", port: 0, limits: limits, handler: router, logger: logger)
        try server.start()
    }

    deinit { stop() }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func credential(_ name: String, expiresInDays days: Double?, mailbox: String? = nil, client: Int = 1) -> Credential {
        Credential(name: name, displayName: "App \(name)", tenantId: Self.tenant,
                   clientId: String(format: "aaaaaaaa-bbbb-4ccc-8ddd-%012d", client), mailbox: mailbox,
                   expiresAt: days.map { clock.now().addingTimeInterval($0 * 86400) }, hasSecret: mailbox != nil)
    }

    /// The standard fixture: a critical and a warning expiry alarm, an expired secret, a rotated (cleared)
    /// one, a healthy one and the SMTP credential, evaluated at the fixed clock.
    @discardableResult
    func seedStandard() throws -> [Credential] {
        var credentials = [
            credential("alpha", expiresInDays: 5, client: 1),
            credential("bravo", expiresInDays: 20, client: 2),
            credential("charlie", expiresInDays: -2, client: 3),
            credential("delta", expiresInDays: 200, client: 4),
            credential("echo", expiresInDays: 3, client: 5),
            credential("smtp", expiresInDays: 100, mailbox: "alerts@contoso.example", client: 6),
        ]
        try store.syncCredentials(credentials, now: clock.now())
        try ExpiryEvaluator(engine: engine, policy: policy).evaluate(now: clock.now())
        // echo's secret is rotated an hour later: its alarm is cleared.
        clock.advance(by: 3600)
        credentials[4] = credential("echo", expiresInDays: 300, client: 5)
        try store.syncCredentials(credentials, now: clock.now())
        try ExpiryEvaluator(engine: engine, policy: policy).evaluate(now: clock.now())
        metrics.refreshFromStore()
        metrics.flush()
        return credentials
    }

    func recordPass(at date: Date? = nil) {
        schedulerStatus.record(startedAt: date ?? clock.now(), duration: 0.25, failures: [:])
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> TestResponse {
        try httpRequest(port: port, "GET", path, headers: headers)
    }

    func post(_ path: String, json: String?, token: String? = TestServer.token, headers: [String: String] = [:]) throws -> TestResponse {
        var all = headers
        if let token { all["Authorization"] = "Bearer \(token)" }
        all["Content-Type"] = "application/json"
        return try httpRequest(port: port, "POST", path, headers: all, body: json.map { Array($0.utf8) } ?? [])
    }
}
