import Foundation
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore

@Suite("Token-health probing and alarms")
struct TokenHealthStepTests {
    @Test func everyAttemptIsRecordedWithItsEvidence() async throws {
        let h = try TokenHealthHarness(behaviour: .entraError(.invalidClientSecret))
        defer { h.close() }
        try await h.pass()
        let attempt = try #require(try h.store.tokenAttempts(credential: "smtp").first)
        #expect(attempt.outcome == .failure)
        #expect(attempt.reason == "invalid_client_secret")
        #expect(attempt.httpStatus == 401)
        #expect(attempt.aadstsCode == 7000215)
        #expect(attempt.error == "invalid_client")
        #expect(attempt.traceId == h.fixture.standIn.traceIds.first)
        #expect(attempt.correlationId != nil)
        #expect(attempt.startedAt == TokenHealthHarness.start)
        #expect(attempt.message?.contains("fix: put the secret's Value, not its Secret ID") == true)
        #expect(h.telemetry.tokenAttempts.map(\.reason) == ["invalid_client_secret"])
        #expect(h.logs.lines.contains { $0.contains("msg=\"token request failed\"") && $0.contains("reason=invalid_client_secret") })
    }

    @Test func alarmAfterThreeConsecutiveFailuresEscalatesOnNewReasonAndClearsOnSuccess() async throws {
        let h = try TokenHealthHarness(behaviour: .entraError(.invalidClientSecret))
        defer { h.close() }
        try await h.pass()
        try await h.passAfterBackoff()
        #expect(try h.alarms(.tokenAcquisitionFailing).isEmpty)
        try await h.passAfterBackoff()
        let raised = try #require(try h.alarms(.tokenAcquisitionFailing).first)
        #expect(raised.isActive)
        #expect(raised.severity == .major)
        #expect(raised.reason == "invalid_client_secret")
        let raisedEvent = try #require(try h.store.events(alarmId: raised.id).first)
        #expect(raisedEvent.type == .raised)
        #expect(raisedEvent.detail.contains("3 consecutive failures"))
        #expect(raisedEvent.detail.contains("invalid client secret (AADSTS7000215); fix: put the secret's Value"))

        // Same reason again: no new event.
        try await h.passAfterBackoff()
        #expect(try h.store.events(alarmId: raised.id).count == 1)

        h.fixture.standIn.setBehaviour(.entraError(.tenantNotFound))
        try await h.passAfterBackoff()
        let escalated = try #require(try h.store.alarm(id: raised.id))
        #expect(escalated.reason == "invalid_tenant")
        let escalation = try #require(try h.store.events(alarmId: raised.id).last)
        #expect(escalation.type == .escalated)
        #expect(escalation.detail.contains("reason changed from invalid_client_secret to invalid_tenant"))
        #expect(escalation.detail.contains("invalid OAuth endpoint or tenant identifier"))

        h.fixture.standIn.setBehaviour(.success(accessToken: "stand-in-token-healed", expiresIn: 3599))
        try await h.passAfterBackoff()
        let cleared = try #require(try h.store.alarm(id: raised.id))
        #expect(!cleared.isActive)
        #expect(try h.store.events(alarmId: raised.id).map(\.type) == [.raised, .escalated, .cleared])
        #expect(h.telemetry.alarmTransitions == [.raised, .escalated, .cleared])
    }

    @Test func passesDuringBackoffMakeNoRequest() async throws {
        let h = try TokenHealthHarness(behaviour: .throttled(retryAfterSeconds: 120))
        defer { h.close() }
        try await h.pass()
        h.clock.advance(by: 60) // the next scheduler pass, inside Retry-After
        try await h.pass()
        #expect(h.fixture.standIn.requestCount == 1)
        #expect(try h.store.tokenAttempts(credential: "smtp").count == 1)
        h.clock.advance(by: 60)
        try await h.pass()
        #expect(h.fixture.standIn.requestCount == 2)
    }

    @Test func healthyCredentialMakesOneRequestPerTokenLifetime() async throws {
        let h = try TokenHealthHarness(behaviour: .success(accessToken: "stand-in-token-healthy", expiresIn: 3599))
        defer { h.close() }
        for _ in 0..<120 { // two hours of one-minute passes
            try await h.pass()
            h.clock.advance(by: 60)
        }
        #expect(h.fixture.standIn.requestCount == 3)
        let attempts = try h.store.tokenAttempts(credential: "smtp")
        #expect(attempts.allSatisfy { $0.outcome == .success && $0.expiresIn == 3599 && $0.reason == nil })
        #expect(try h.alarms(.tokenAcquisitionFailing).isEmpty)
    }

    @Test func identityProviderSaysExpiredDespiteFutureConfiguredDate() async throws {
        let h = try TokenHealthHarness(behaviour: .entraError(.clientSecretExpired))
        defer { h.close() }
        try await h.pass()
        let alarm = try #require(try h.alarms(.clientSecretExpired).first)
        #expect(alarm.isActive)
        #expect(alarm.severity == .critical)
        #expect(alarm.reason == "client_secret_expired")
        #expect(alarm.summary.contains("configured expiry 2027-12-28 is wrong"))
        let event = try #require(try h.store.events(alarmId: alarm.id).first)
        #expect(event.detail.contains("AADSTS7000222"))
        #expect(event.detail.contains("the configured secret_expires (2027-12-28) is wrong"))
        #expect(event.detail.contains("trace id \(h.fixture.standIn.traceIds[0])"))

        // Status agrees with the alarm, not with the configured date.
        let status = try StatusReport(store: h.store, now: h.clock.now())
        let entry = try #require(status.credentials.first { $0.name == "smtp" })
        #expect(entry.expired && entry.expiredPerIdentityProvider && entry.daysLeft == 0)
        #expect(status.renderText().contains("expired (per Entra)"))

        // The expiry evaluator keeps it (same configured date), and a second verdict adds nothing.
        let expiry = ExpiryEvaluator(engine: h.engine, policy: AlarmPolicy())
        try expiry.evaluate(now: h.clock.now())
        try await h.passAfterBackoff()
        #expect(try h.alarms(.clientSecretExpired).filter(\.isActive).count == 1)

        // Rotation (a new expiry date) clears it.
        try h.store.syncCredentials([TokenHealthHarness.credential(expires: Date(timeIntervalSince1970: 1_860_000_000))], now: h.clock.now())
        try expiry.evaluate(now: h.clock.now())
        #expect(try h.alarms(.clientSecretExpired).allSatisfy { !$0.isActive })
    }

    @Test func aNewSecretThatTheIdentityProviderAcceptsClearsItsExpiredVerdict() async throws {
        let h = try TokenHealthHarness(behaviour: .entraError(.clientSecretExpired))
        defer { h.close() }
        try await h.pass()
        let alarm = try #require(try h.alarms(.clientSecretExpired).first)
        #expect(alarm.isActive)
        // A new secret went into the secret file; the configured date stays.
        h.fixture.standIn.setBehaviour(.success(accessToken: "fresh-secret-token-0001", expiresIn: 3599))
        try await h.passAfterBackoff()
        let cleared = try #require(try h.store.alarm(id: alarm.id))
        #expect(cleared.state == .cleared)
        #expect(try h.store.events(alarmId: alarm.id).last { $0.type == .cleared }?.detail.contains("(secret rotated)") == true)
        let entry = try #require(try StatusReport(store: h.store, now: h.clock.now()).credentials.first { $0.name == "smtp" })
        #expect(!entry.expired)
    }

    @Test func thresholdIsConfigurable() async throws {
        let h = try TokenHealthHarness(behaviour: .captivePortal(echoRequest: false), failuresBeforeAlarm: 1)
        defer { h.close() }
        try await h.pass()
        #expect(try h.alarms(.tokenAcquisitionFailing).first?.reason == "idp_bad_response")
    }
}

/// A Graph token the SMTP app fails to get (discovery with `use_smtp_credential`) is discovery's failure: it is
/// recorded with its scope, and the SMTP credential's `token_acquisition_failing` counts its own scope only.
@Suite("Token-health alarms count the credential's own scope")
struct TokenHealthScopeTests {
    @Test func graphScopeFailuresDoNotRaiseTheMailPathsAlarm() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path + "/scope.db", now: TokenHealthHarness.start)
        try store.syncCredentials([Credential(name: "smtp", displayName: nil, tenantId: TokenEndpointFixture.tenant,
                                              clientId: TokenEndpointFixture.client, mailbox: "m@contoso.com",
                                              expiresAt: nil, hasSecret: true)], now: TokenHealthHarness.start)
        try store.recordTokenAttempt(TokenAttempt(credential: "smtp", startedAt: TokenHealthHarness.start, duration: 0.1,
                                                  outcome: .success, expiresIn: 3599, scope: TokenEndpointFixture.scope))
        for i in 1...3 {
            try store.recordTokenAttempt(TokenAttempt(credential: "smtp", startedAt: TokenHealthHarness.start.addingTimeInterval(Double(i)),
                                                      duration: 0.1, outcome: .failure, reason: "invalid_scope",
                                                      scope: GraphEndpointSettings.defaultScope))
        }
        #expect(try store.tokenAttempts(credential: "smtp").first?.scope == GraphEndpointSettings.defaultScope)
        let evaluator = TokenHealthEvaluator(engine: AlarmEngine(store: store), policy: AlarmPolicy())
        try evaluator.evaluate(credential: "smtp", scope: TokenEndpointFixture.scope, now: TokenHealthHarness.start.addingTimeInterval(10))
        #expect(try store.activeAlarms().isEmpty)
        // Counted without regard to scope, the same attempts raise it.
        try evaluator.evaluate(credential: "smtp", now: TokenHealthHarness.start.addingTimeInterval(10))
        #expect(try store.activeAlarms().map(\.kind) == [.tokenAcquisitionFailing])
    }
}
