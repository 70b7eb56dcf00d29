import Foundation
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// `endpoint_certificate_expiring` from the certificates an endpoint presented, on a test clock: raised at the
/// first threshold, escalated at the next, cleared when a fresh certificate is presented, and never cleared
/// after a restart before the endpoint's chain is known again.
@Suite struct EndpointCertificateAlarmTests {
    let endpoint = "smtp.contoso.example:587"

    /// PEM text of a chain: a leaf ending in `leafDays` under an intermediate ending in 40 days.
    static func chain(leafDays: Double) throws -> (pems: [String], pki: ThrowawayPKI) {
        let chain = try PresentedChainTests.Chain(leafDays: leafDays)
        let leaf = try String(contentsOfFile: chain.identity.certificatePath, encoding: .utf8)
        let separator = "-----END CERTIFICATE-----\n"
        return (leaf.components(separatedBy: separator).filter { $0.contains("BEGIN") }.map { $0 + separator }, chain.pki)
    }

    func active(_ store: Store) throws -> [Alarm] {
        try store.alarms(AlarmFilter(state: .active, kind: .endpointCertificateExpiring))
    }

    @Test func raisedAtAThresholdEscalatedAtTheNextAndClearedWhenAFreshCertificateIsPresented() throws {
        let (expiring, pki) = try Self.chain(leafDays: 20)
        defer { pki.remove() }
        let clock = ManualClock(now: Date())
        let store = try MailTestSupport.store(now: clock.now())
        let certificates = EndpointCertificates()
        certificates.expect([endpoint])
        let evaluator = EndpointCertificateEvaluator(engine: AlarmEngine(store: store), policy: AlarmPolicy(thresholdsDays: [30, 14, 7, 1]),
                                                     credentialName: "smtp", certificates: certificates)
        #expect(try evaluator.evaluate(now: clock.now()) == .none, "nothing known yet")

        certificates.record(endpoint: endpoint, pems: expiring)
        #expect(certificates.chain(of: endpoint).map(\.position) == ["leaf", "intermediate_1"])
        #expect(try evaluator.evaluate(now: clock.now()) == .raised)
        var alarm = try #require(try active(store).first)
        #expect(alarm.credentialName == "smtp")
        #expect(alarm.thresholdDays == 30 && alarm.severity == .warning)
        #expect(alarm.expiresAt == certificates.chain(of: endpoint)[0].notAfter)
        #expect(alarm.summary.contains("(leaf of \(endpoint)) expires on") && alarm.summary.contains("20 days left"))
        #expect(try evaluator.evaluate(now: clock.now()) == .none, "idempotent")

        clock.advance(by: 7 * 86400)
        #expect(try evaluator.evaluate(now: clock.now()) == .escalated)
        alarm = try #require(try active(store).first)
        #expect(alarm.thresholdDays == 14)

        // A restart: the chain is not known again yet, only another endpoint far from its end. No clearing on no news.
        let restarted = EndpointCertificates()
        restarted.expect([endpoint])
        let (fresh, freshPKI) = try Self.chain(leafDays: 300)
        defer { freshPKI.remove() }
        restarted.record(endpoint: "graph.microsoft.com:443", pems: [fresh[0]])
        let afterRestart = EndpointCertificateEvaluator(engine: AlarmEngine(store: store), policy: AlarmPolicy(thresholdsDays: [30, 14, 7, 1]),
                                                        credentialName: "smtp", certificates: restarted)
        #expect(try afterRestart.evaluate(now: clock.now()) == .none)
        #expect(try active(store).count == 1)

        // The server presents a renewed leaf (under an intermediate with 40 days): everything is beyond 30 days.
        restarted.record(endpoint: endpoint, pems: fresh)
        #expect(try afterRestart.evaluate(now: clock.now()) == .cleared)
        #expect(try active(store).isEmpty)
        let events = try store.events(alarmId: alarm.id)
        #expect(events.last?.type == .cleared && events.last?.detail.contains("replaced") == true)
    }

    @Test func anExpiredCertificateRaisesACriticalAlarm() throws {
        let (expiring, pki) = try Self.chain(leafDays: 2)
        defer { pki.remove() }
        let clock = ManualClock(now: Date())
        let store = try MailTestSupport.store(now: clock.now())
        let certificates = EndpointCertificates()
        certificates.record(endpoint: endpoint, pems: expiring)
        let evaluator = EndpointCertificateEvaluator(engine: AlarmEngine(store: store), policy: AlarmPolicy(),
                                                     credentialName: "smtp", certificates: certificates)
        clock.advance(by: 3 * 86400)
        #expect(try evaluator.evaluate(now: clock.now()) == .raised)
        let alarm = try #require(try active(store).first)
        #expect(alarm.severity == .critical)
        #expect(alarm.summary.contains("expired on"))
    }

    @Test func aCAFileCertificateNearItsEndRaisesTheAlarm() throws {
        let pki = try ThrowawayPKI()
        defer { pki.remove() }
        // A proxy's CA (an intermediate of the throwaway root here) ending in 5 days, after the root (397 days).
        let root = try pki.makeAuthority(named: "root")
        let proxy = try pki.makeIntermediate(named: "proxy-ca", by: root, validUntil: 5 * 86400)
        let bundle = try pki.write(try String(contentsOfFile: root.certificatePath, encoding: .utf8)
                                   + String(contentsOfFile: proxy.certificatePath, encoding: .utf8), to: "ca-bundle.pem")
        let clock = ManualClock(now: Date())
        let store = try MailTestSupport.store(now: clock.now())
        let certificates = EndpointCertificates()
        #expect(certificates.loadCAFiles([bundle]).isEmpty)
        let evaluator = EndpointCertificateEvaluator(engine: AlarmEngine(store: store), policy: AlarmPolicy(),
                                                     credentialName: "smtp", certificates: certificates)
        #expect(try evaluator.evaluate(now: clock.now()) == .raised)
        let alarm = try #require(try active(store).first)
        #expect(alarm.summary.contains("(ca_2 of ca_file:\(bundle)) expires on") && alarm.summary.contains("5 days left"))
        #expect(alarm.severity == .critical)
        #expect(alarm.thresholdDays == 7)
    }
}
