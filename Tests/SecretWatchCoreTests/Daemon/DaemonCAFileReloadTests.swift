import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// A reload (what SIGHUP runs: the configuration file read again) reads the `ca_file`s of the endpoint-certificate
/// watch again: a certificate ending in 5 days that the new reading holds raises `endpoint_certificate_expiring`
/// at the next pass and is in the expiry metric — whether `token.ca_file` names another file or the same file was
/// replaced in place (a TLS-inspecting proxy's CA renewed by configuration management).
@Suite("Daemon reload: ca_file certificates")
struct DaemonCAFileReloadTests {
    /// The token stand-in, a configuration whose `token.ca_file` is `token-ca.pem` (the stand-in's CA alone), and a
    /// daemon on it whose reloads read that configuration file again; one pass run.
    private struct Setup {
        let f: TokenEndpointFixture
        let configPath: String
        let caFile: String
        let daemon: Daemon
        /// An intermediate of the stand-in's CA that ends in 5 days.
        let expiring: X509Certificate
        let bundle: String

        init() async throws {
            f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-reload", expiresIn: 3599))
            caFile = try f.pki.write(try String(contentsOfFile: f.ca.certificatePath, encoding: .utf8), to: "token-ca.pem")
            let written = try CheckConnectConfig.write(in: f, database: f.pki.directory + "/reload.db", expires: "2030-01-01")
            configPath = try Self.pointTokenCAFile(of: written, at: caFile, ca: f.ca.certificatePath)
            let config = try ConfigLoader(environment: [:]).load(path: configPath).config
            #expect(config.token.caFile == caFile)
            daemon = try Daemon(config: config, clock: ManualClock(now: Date()))
            let intermediate = try f.pki.makeIntermediate(named: "inspecting-proxy-ca", by: f.ca, validUntil: 5 * 86_400)
            expiring = try X509Certificate(pemFile: intermediate.certificatePath)
            // The stand-in's CA stays in the bundle, so token requests still trust the endpoint.
            bundle = try String(contentsOfFile: f.ca.certificatePath, encoding: .utf8)
                + (try String(contentsOfFile: intermediate.certificatePath, encoding: .utf8))
            #expect(await daemon.runOnce().isEmpty)
            #expect(try active() == nil, "the stand-in's CA has 397 days left")
        }

        /// Rewrites `token.ca_file` of the configuration at `path` (written by `CheckConnectConfig`).
        static func pointTokenCAFile(of path: String, at file: String, ca: String) throws -> String {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let rewritten = text.replacingOccurrences(of: "  ca_file: \(ca)\n", with: "  ca_file: \(file)\n")
            try #require(rewritten != text, "no token.ca_file line in \(path)")
            try rewritten.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func active() throws -> Alarm? {
            try daemon.store.alarms(AlarmFilter(state: .active, kind: .endpointCertificateExpiring)).first
        }

        /// The exposition's series of `endpoint`.
        func series(of endpoint: String) throws -> [Substring] {
            daemon.metrics.flush()
            return try daemon.metrics.text().split(separator: "\n")
                .filter { $0.hasPrefix("secretwatch_endpoint_certificate_expiry_timestamp_seconds{endpoint=\"\(endpoint)\"") }
        }

        /// After the reload: a pass raises the alarm about the expiring certificate, which the metric shows.
        func expectTheExpiringCertificateIsWatched(under file: String) async throws {
            _ = await daemon.runOnce()
            let alarm = try #require(try active(), "no endpoint_certificate_expiring after the reload")
            #expect(alarm.expiresAt == expiring.notAfter)
            #expect(alarm.severity == .critical && alarm.thresholdDays == 7, "\(alarm.severity) \(String(describing: alarm.thresholdDays))")
            let lines = try series(of: "ca_file:\(file)")
            let line = try #require(lines.first { $0.contains("subject=\"\(expiring.subject)\"") }, "\(lines)")
            #expect(Double(line.split(separator: " ").last!) == expiring.notAfter.timeIntervalSince1970)
        }
    }

    @Test func aReloadThatNamesAnotherCAFileWatchesItsCertificates() async throws {
        let s = try await Setup()
        defer { s.f.close() }
        let other = try s.f.pki.write(s.bundle, to: "proxy-bundle.pem")
        _ = try Setup.pointTokenCAFile(of: s.configPath, at: other, ca: s.caFile)
        let outcome = await s.daemon.reloader.reload()
        #expect(outcome.outcome == "applied", "\(outcome)")
        try await s.expectTheExpiringCertificateIsWatched(under: other)
        #expect(try s.series(of: "ca_file:\(s.caFile)").isEmpty, "the file no longer configured is forgotten")
    }

    @Test func aReloadReadsACAFileReplacedInPlaceAgain() async throws {
        let s = try await Setup()
        defer { s.f.close() }
        _ = try s.f.pki.write(s.bundle, to: "token-ca.pem")
        let outcome = await s.daemon.reloader.reload()
        #expect(outcome.outcome == "unchanged", "the configuration itself did not change: \(outcome)")
        try await s.expectTheExpiringCertificateIsWatched(under: s.caFile)
    }
}
