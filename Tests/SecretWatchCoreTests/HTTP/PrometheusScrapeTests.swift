import Foundation
import Testing
@testable import SecretWatchCore

/// A real Prometheus server (Debian's) scrapes the daemon's HTTP server every second with the shipped rules
/// loaded: the expiry metric arrives and the expiring-secret alert goes pending for the secret that expires
/// soon, not for the one that does not.
@Suite struct PrometheusScrapeTests {
    @Test func prometheusScrapesTheExpiryAndRaisesTheAlert() async throws {
        let s = try TestServer(now: Date())
        let soon = s.credential("soon", expiresInDays: 3, client: 1)
        let later = s.credential("later", expiresInDays: 100, client: 2)
        try s.store.syncCredentials([soon, later], now: s.clock.now())
        s.metrics.refreshFromStore()
        s.metrics.flush()

        let prometheus = try PrometheusServer(target: "127.0.0.1:\(s.port)", directory: s.directory.appendingPathComponent("prometheus"))
        defer { prometheus.stop() }
        let sample = await PrometheusServer.eventually(60) {
            try prometheus.firstSample(#"secretwatch_client_secret_expiry_timestamp_seconds{credential="soon"}"#)
        }
        let found = try #require(sample, "Prometheus never scraped the expiry metric; its log:\n\(prometheus.log)")
        let labels = found["metric"] as? [String: String]
        #expect(labels?["tenant_id"] == TestServer.tenant)
        #expect(labels?["job"] == "secretwatch")
        let value = ((found["value"] as? [Any])?.last as? String).flatMap(Double.init)
        #expect(value == soon.expiresAt?.timeIntervalSince1970)

        let alert = await PrometheusServer.eventually(60) { () throws -> [String: Any]? in
            try prometheus.alerts().first {
                let l = $0["labels"] as? [String: String]
                return l?["alertname"] == "SecretWatchClientSecretExpiringCritical" && l?["credential"] == "soon"
            }
        }
        let raised = try #require(alert, "the expiring-secret alert never appeared; Prometheus log:\n\(prometheus.log)")
        #expect(["pending", "firing"].contains(raised["state"] as? String ?? ""))
        #expect(!(try prometheus.alerts()).contains { ($0["labels"] as? [String: String])?["credential"] == "later" },
                "an alert for a secret 100 days out")
    }
}
