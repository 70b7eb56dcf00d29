import Foundation
import Logging
import Synchronization
import SecretWatchStandIns
import SecretWatchTesting
@testable import SecretWatchCore

/// The real token-health pipeline on a temporary SQLite file: stand-in → client → cache → recorder (store,
/// telemetry, captured log) → alarm evaluator, driven by a `ManualClock`.
final class TokenHealthHarness: Sendable {
    let fixture: TokenEndpointFixture
    let directory: String
    let store: Store
    let clock: ManualClock
    let cache: TokenCache
    let step: TokenHealthStep
    let engine: AlarmEngine
    let logs = MemoryLogSink()
    let telemetry = CollectingTelemetry()

    static let start = Date(timeIntervalSince1970: 1_800_000_000) // 2027-01-15
    static let configuredExpiry = Date(timeIntervalSince1970: 1_830_000_000) // 2027-12-28

    init(behaviour: TokenStandInBehaviour, failuresBeforeAlarm: Int = 3, secret: String = "stand-in-secret-Value~1") throws {
        fixture = try TokenEndpointFixture(behaviour: behaviour, secret: secret)
        directory = fixture.pki.directory
        clock = ManualClock(now: Self.start)
        store = try Store(path: directory + "/secretwatch.db", now: Self.start)
        try store.syncCredentials([Self.credential(expires: Self.configuredExpiry)], now: Self.start)
        let sink = logs
        let logger = Logger(label: "secretwatch.test") { KeyValueLogHandler(label: $0, level: .debug, sink: sink) }
        engine = AlarmEngine(store: store, telemetry: telemetry, logger: logger)
        cache = TokenCache(clients: [fixture.client()], clock: clock,
                           recorder: TokenAttemptRecorder(store: store, telemetry: telemetry, logger: logger), jitter: { 1 })
        step = TokenHealthStep(cache: cache, evaluator: TokenHealthEvaluator(
            engine: engine, policy: AlarmPolicy(tokenFailuresBeforeAlarm: failuresBeforeAlarm)))
    }

    static func credential(expires: Date) -> Credential {
        Credential(name: "smtp", displayName: "ISE mail", tenantId: TokenEndpointFixture.tenant,
                   clientId: TokenEndpointFixture.client, mailbox: "ise@contoso.com", expiresAt: expires, hasSecret: true)
    }

    /// One scheduler pass of the step at the clock's now.
    func pass() async throws { try await step.run(now: clock.now()) }

    /// Moves past any backoff (cap 10 min) and runs a pass.
    func passAfterBackoff() async throws {
        clock.advance(by: 601)
        try await pass()
    }

    func alarms(_ kind: AlarmKind) throws -> [Alarm] { try store.alarms(AlarmFilter(kind: kind)) }

    func close() { fixture.close() }
}

/// A telemetry observer that keeps what it is told (the metrics registry is another implementation).
final class CollectingTelemetry: TelemetryObserver {
    private let attempts = Mutex<[TokenAttempt]>([])
    private let transitions = Mutex<[AlarmEventType]>([])
    var tokenAttempts: [TokenAttempt] { attempts.withLock { $0 } }
    var alarmTransitions: [AlarmEventType] { transitions.withLock { $0 } }
    func tokenAttempt(_ attempt: TokenAttempt) { attempts.withLock { $0.append(attempt) } }
    func alarmTransition(_ transition: AlarmTransition) { transitions.withLock { $0.append(transition.type) } }
}
