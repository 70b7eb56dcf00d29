import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// The daemon's pass records the token endpoint's chain and reads token.ca_file: both in /metrics, and
/// `endpoint_certificate_expiring` once the test clock is within a threshold of their end.
@Suite("Daemon endpoint certificates")
struct DaemonEndpointCertificateTests {
    @Test func thePassExportsTheTokenEndpointsChainAndTheCAFileAndAlarmsNearTheirEnd() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-chain", expiresIn: 3599))
        defer { f.close() }
        let path = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/chain.db", expires: "2030-01-01")
        let config = try ConfigLoader(environment: [:]).load(path: path).config
        let clock = ManualClock(now: Date())
        let daemon = try Daemon(config: config, clock: clock)
        #expect(await daemon.runOnce().isEmpty)

        let endpoint = "127.0.0.1:\(f.standIn.port)"
        let leaf = try X509Certificate(pemFile: f.pki.directory + "/token-endpoint.crt")
        let ca = try X509Certificate(pemFile: f.ca.certificatePath)
        daemon.metrics.flush()
        let text = try daemon.metrics.text()
        let series = "secretwatch_endpoint_certificate_expiry_timestamp_seconds{endpoint=\"\(endpoint)\",position=\"leaf\",subject=\"\(leaf.subject)\"}"
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(series + " ") }, "\(text)")
        #expect(Double(line.split(separator: " ").last!) == leaf.notAfter.timeIntervalSince1970)
        #expect(text.contains("secretwatch_endpoint_certificate_expiry_timestamp_seconds{endpoint=\"ca_file:\(f.ca.certificatePath)\",position=\"ca_1\""))
        #expect(try daemon.store.alarms(AlarmFilter(state: .active, kind: .endpointCertificateExpiring)).isEmpty, "397 days left")

        clock.set(to: min(leaf.notAfter, ca.notAfter).addingTimeInterval(-10 * 86400))
        _ = await daemon.runOnce()
        let alarm = try #require(try daemon.store.alarms(AlarmFilter(state: .active, kind: .endpointCertificateExpiring)).first)
        #expect(alarm.credentialName == "smtp" && alarm.thresholdDays == 14)
        #expect(alarm.expiresAt == min(leaf.notAfter, ca.notAfter))
    }
}
