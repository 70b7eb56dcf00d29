import Foundation
import Testing
@testable import SecretWatchCore
@testable import SecretWatchExposition

/// `/metrics` as a contract: the golden exposition for a fixed state, promtool on live output, gzip, bounded
/// labels, and the prepared-state behaviour.
@Suite struct MetricsEndpointTests {
    static let fixedProcess = ProcessStats(cpuSeconds: 1.5, residentBytes: 12_345_678, virtualBytes: 234_567_890,
                                           openFDs: 12, maxFDs: 1024, startTime: 1_795_000_000)

    /// A server in the golden state: the standard alarms, two discovery tenants (one discovered, with a drifting,
    /// a rotating and a missing secret; one failing), one of each telemetry event, fixed process values.
    static func goldenServer() throws -> TestServer {
        let s = try TestServer(live: LiveMetrics(maxAge: .zero, processStats: { fixedProcess }))
        try s.seedDiscovery()
        let t0 = TestServer.epoch
        let m = s.metrics
        m.tokenAttempt(TokenAttempt(credential: "smtp", startedAt: t0, duration: 0.3, outcome: .success, expiresIn: 3599))
        m.tokenAttempt(TokenAttempt(credential: "smtp", startedAt: t0.addingTimeInterval(60), duration: 1.2, outcome: .failure,
                                    reason: "invalid_client_secret", message: "AADSTS7000215: Invalid client secret provided."))
        m.tokenAttempt(TokenAttempt(credential: "smtp", startedAt: t0.addingTimeInterval(120), duration: 12, outcome: .failure,
                                    reason: "Connect timed out after 10 s", message: "free text never becomes a label"))
        m.delivery(Delivery(messageId: "<1@x>", attemptedAt: t0, duration: 0.8, recipients: ["a@b"], outcome: .sent))
        m.delivery(Delivery(messageId: "<2@x>", attemptedAt: t0, duration: 2, recipients: ["a@b"], outcome: .deferred, reason: "smtp_auth_disabled"))
        m.delivery(Delivery(messageId: "<3@x>", attemptedAt: t0, duration: 45, recipients: ["a@b"], outcome: .failed, reason: "send_as_denied"))
        m.outbox(OutboxState(depth: 2, oldestQueuedAt: t0.addingTimeInterval(-600)))
        m.endpointCertificates([
            EndpointCertificate(endpoint: "login.microsoftonline.com:443", position: "leaf", subject: "CN=stamp2.login.microsoftonline.com",
                                issuer: "CN=Microsoft Azure RSA TLS Issuing CA 08,O=Microsoft Corporation,C=US", notAfter: t0.addingTimeInterval(90 * 86400)),
            EndpointCertificate(endpoint: "login.microsoftonline.com:443", position: "intermediate_1",
                                subject: "CN=Microsoft Azure RSA TLS Issuing CA 08,O=Microsoft Corporation,C=US",
                                issuer: "CN=DigiCert Global Root G2,OU=www.digicert.com,O=DigiCert Inc,C=US", notAfter: t0.addingTimeInterval(500 * 86400)),
            EndpointCertificate(endpoint: "ca_file:/etc/secretwatch/proxy-ca.pem", position: "ca_1", subject: "CN=Proxy \"Inspection\" CA,O=Contoso",
                                issuer: "CN=Proxy \"Inspection\" CA,O=Contoso", notAfter: t0.addingTimeInterval(10 * 86400)),
        ])
        m.schedulerPass(startedAt: t0.addingTimeInterval(3600), duration: 0.25, failingSteps: [])
        m.flush()
        return s
    }

    static let goldenPath = repositoryRoot.appendingPathComponent("Tests/SecretWatchCoreTests/Fixtures/metrics/golden.prom")

    @Test func expositionMatchesTheGoldenFile() throws {
        let s = try Self.goldenServer()
        let r = try s.get("/metrics")
        #expect(r.status == 200)
        #expect(r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(r.headers["content-encoding"] == nil)
        if ProcessInfo.processInfo.environment["SECRETWATCH_UPDATE_GOLDEN"] == "1" {
            try Data(r.body).write(to: Self.goldenPath)
        }
        let golden = try String(contentsOf: Self.goldenPath, encoding: .utf8)
        let got = r.text.components(separatedBy: "\n")
        let want = golden.components(separatedBy: "\n")
        for (i, (g, w)) in zip(got, want).enumerated() where g != w {
            Issue.record("line \(i + 1) differs:\n  got:  \(g)\n  want: \(w)")
            break
        }
        #expect(got.count == want.count, "got \(got.count) lines, golden has \(want.count) (SECRETWATCH_UPDATE_GOLDEN=1 rewrites it)")
    }

    @Test func liveOutputPassesPromtool() async throws {
        let s = try TestServer()
        try s.seedDiscovery()
        s.metrics.tokenAttempt(TokenAttempt(credential: "smtp", startedAt: s.clock.now(), duration: 0.3, outcome: .success, expiresIn: 3599))
        s.metrics.delivery(Delivery(messageId: "<1@x>", attemptedAt: s.clock.now(), duration: 0.8, recipients: ["a@b"], outcome: .sent))
        s.metrics.flush()
        _ = try s.get("/healthz")
        let text = try s.get("/metrics").text
        let result = try await runProgram(promtoolPath, ["check", "metrics"], input: text)
        #expect(result.status == 0, "promtool check metrics: \(result.output)")
        // Every family has HELP and TYPE, and every sample belongs to a catalogued family.
        for family in MetricCatalog.all {
            #expect(text.contains("# HELP \(family.name) "), "\(family.name) has no HELP")
            #expect(text.contains("# TYPE \(family.name) \(family.kind.rawValue)\n"), "\(family.name) has no TYPE")
        }
        let names = MetricCatalog.sampleNames
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix(while: { $0 != "{" && $0 != " " }))
            #expect(names.contains(name), "\(name) is not in MetricCatalog")
        }
        // Real process values from /proc.
        #expect(text.contains("\nprocess_open_fds "))
        #expect(!text.contains("\nprocess_resident_memory_bytes 0\n"))
        #expect(text.contains("secretwatch_http_requests_total{path=\"/healthz\",code=\"200\"} 1\n"))
    }

    @Test func gzipBodyIsTheSameExposition() throws {
        let s = try Self.goldenServer()
        let connection = try TestConnection(port: s.port)
        let plain = try connection.request("GET", "/metrics")
        let zipped = try connection.request("GET", "/metrics", headers: ["Accept-Encoding": "gzip"])
        #expect(zipped.status == 200)
        #expect(zipped.headers["content-encoding"] == "gzip")
        #expect(zipped.headers["vary"] == "Accept-Encoding")
        #expect(zipped.body.count * 3 < plain.body.count)
        let unzipped = String(decoding: try Gzip.decompress(zipped.body), as: UTF8.self)
        // Only the request counter moved between the two scrapes.
        let strip = { (t: String) in t.split(separator: "\n").filter { !$0.hasPrefix("secretwatch_http_requests_total") } }
        #expect(strip(unzipped) == strip(plain.text))
        #expect(unzipped.contains("secretwatch_http_requests_total{path=\"/metrics\",code=\"200\"} 1\n"))
        let head = try connection.request("HEAD", "/metrics", headers: ["Accept-Encoding": "gzip"])
        #expect(head.status == 200 && head.body.isEmpty)
    }

    /// A large exposition keeps only its gzip form; a plain scrape gets the same text, inflated as it is sent,
    /// with the right Content-Length, on a kept-alive connection, and HEAD still works.
    @Test func anExpositionKeptOnlyAsGzipServesTheSamePlainText() throws {
        let s = try TestServer(live: LiveMetrics(maxAge: .zero, processStats: { Self.fixedProcess }), plainLimit: 0)
        try s.seedStandard()
        #expect(try s.metrics.scrape().exposition.segments.allSatisfy { $0.plain == nil })
        let connection = try TestConnection(port: s.port)
        let zipped = try connection.request("GET", "/metrics", headers: ["Accept-Encoding": "gzip"])
        let plain = try connection.request("GET", "/metrics")
        #expect(plain.status == 200 && plain.headers["content-encoding"] == nil)
        #expect(plain.headers["content-length"] == "\(plain.body.count)")
        let strip = { (t: String) in t.split(separator: "\n").filter { !$0.hasPrefix("secretwatch_http_requests_total") } }
        #expect(strip(plain.text) == strip(String(decoding: try Gzip.decompress(zipped.body), as: UTF8.self)))
        #expect(plain.text.contains(#"secretwatch_client_secret_expiry_timestamp_seconds{credential="smtp""#))
        #expect(plain.text.hasSuffix("\n") && plain.text.contains("\nprocess_open_fds "))
        let head = try connection.request("HEAD", "/metrics")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(strip(try s.metrics.text()) == strip(plain.text))
    }

    @Test func reasonsThatAreNotSnakeCaseWordsNeverBecomeLabels() {
        #expect(MetricsState.labelSafe("invalid_client_secret") == "invalid_client_secret")
        #expect(MetricsState.labelSafe("Connect timed out") == "other")
        #expect(MetricsState.labelSafe("a\"b") == "other")
        #expect(MetricsState.labelSafe(String(repeating: "a", count: 65)) == "other")
        #expect(MetricsState.labelSafe(nil) == "unknown")
        #expect(ExpositionWriter.escapeLabel("a\"b\\c\nd") == #"a\"b\\c\nd"#)
    }

    @Test func aScrapeServesThePublishedStateWhileTheStoreIsLocked() throws {
        let s = try TestServer()
        try s.seedStandard()
        let before = try s.get("/metrics")
        // Hold the store's lock, as a long transaction would, while scraping.
        let served = try s.store.read { _ in try s.get("/metrics") }
        #expect(served.status == 200)
        #expect(served.text.contains("secretwatch_client_secret_expiry_timestamp_seconds{credential=\"alpha\""))
        #expect(before.text.count > 0)
    }

    @Test func stateChangesArePublishedAfterFlush() throws {
        let s = try TestServer()
        try s.seedStandard()
        #expect(!(try s.get("/metrics").text.contains("\nsecretwatch_outbox_oldest_queued_timestamp_seconds ")))
        s.metrics.outbox(OutboxState(depth: 7, oldestQueuedAt: TestServer.epoch))
        s.metrics.flush()
        let text = try s.get("/metrics").text
        #expect(text.contains("secretwatch_outbox_messages 7\n"))
        #expect(text.contains("secretwatch_outbox_oldest_queued_timestamp_seconds 1796083200\n"))
    }
}
