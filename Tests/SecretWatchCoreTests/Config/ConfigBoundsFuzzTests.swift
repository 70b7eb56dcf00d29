import Foundation
import Logging
import Testing
import SecretWatchTesting
@testable import SecretWatchCore
import SecretWatchCurl
import SecretWatchHTTPServer

/// Every duration and whole-number field, fed huge, negative, zero, overflowing and boundary values through the
/// built `secretwatch`: `check` either refuses the value (exit 2, naming the field) or accepts it, and then the
/// configuration can be used (`run --once`, the daemon's objects, libcurl options, sleeps) — never a signal.
@Suite("Configuration bounds: fuzzed durations and integers", .serialized)
struct ConfigBoundsFuzzTests {
    struct Field: Sendable, CustomStringConvertible {
        enum Kind: Sendable { case duration, integer }
        /// `section.key`; `alarms.thresholds_days[]` is an item of that list.
        let path: String
        let kind: Kind
        /// Settings that keep the other side of a cross-field rule (timeout ≥ connect timeout) out of the way.
        var companions: [String: String] = [:]
        var description: String { path }
        /// The path as messages print it (`alarms.thresholds_days[0]` for the list item).
        var printed: String { path.replacingOccurrences(of: "[]", with: "[0]") }
    }

    static let fields: [Field] = [
        Field(path: "scheduler.interval", kind: .duration),
        Field(path: "smtp.connect_timeout", kind: .duration),
        Field(path: "smtp.timeout", kind: .duration),
        Field(path: "token.connect_timeout", kind: .duration, companions: ["token.timeout": "10m"]),
        Field(path: "token.timeout", kind: .duration, companions: ["token.connect_timeout": "100ms"]),
        Field(path: "alarms.renotify_interval", kind: .duration),
        Field(path: "mailer.retry_initial", kind: .duration, companions: ["mailer.retry_max": "1d"]),
        Field(path: "mailer.retry_max", kind: .duration, companions: ["mailer.retry_initial": "1s"]),
        Field(path: "mailer.give_up_after", kind: .duration),
        Field(path: "mailer.alarm_after", kind: .duration),
        Field(path: "mailer.poll_interval", kind: .duration),
        Field(path: "smtp.port", kind: .integer),
        Field(path: "mailer.concurrency", kind: .integer),
        Field(path: "mailer.rate_per_minute", kind: .integer),
        Field(path: "alarms.thresholds_days[]", kind: .integer),
        Field(path: "alarms.critical_days", kind: .integer),
        Field(path: "alarms.token_failures_before_alarm", kind: .integer),
        Field(path: "http.request_timeout", kind: .duration),
        Field(path: "http.idle_timeout", kind: .duration),
        Field(path: "http.connection_limit", kind: .integer),
        Field(path: "http.per_ip_connection_limit", kind: .integer, companions: ["http.connection_limit": "65536"]),
        Field(path: "discovery.interval", kind: .duration, companions: ["discovery.tenants": "[{use_smtp_credential: true}]"]),
        Field(path: "relay.max_body_bytes", kind: .integer, companions: relayCompanions),
        Field(path: "relay.dedup_window", kind: .duration, companions: relayCompanions),
        Field(path: "relay.max_recipients_per_day", kind: .integer, companions: relayCompanions),
    ]

    static let relayCompanions = ["relay.token_file": "secret.txt", "relay.receivers": "[{name: ops, to: [oncall@contoso.com]}]"]

    static let hugeDigits = String(repeating: "9", count: 400)

    static func values(_ field: Field) -> [String] {
        switch field.kind {
        case .duration:
            let range = ConfigBounds.durations[field.path]!
            let belowMinimum = "\(Int((range.lowerBound * 1000).rounded()) - 1)ms"
            return ["0", "0s", "-1s", "1e30s", "1.5s", "9223372036854775807s", "18446744073709551616ms", "300000d",
                    "1000000w", "110000000000d", hugeDigits + "w", "1ms", "1s", "1h", "1d", "1w", belowMinimum,
                    DurationText.format(range.lowerBound), DurationText.format(range.upperBound),
                    DurationText.format(range.upperBound) + "1s"]
        case .integer:
            let range = ConfigBounds.integers[field.path]!
            return ["0", "-1", "1", "+1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                    "-9223372036854775809", "1e30", hugeDigits, "0x10", "1.5",
                    "\(range.lowerBound - 1)", "\(range.lowerBound)", "\(range.upperBound)", "\(range.upperBound + 1)"]
        }
    }

    /// Whether the documented bounds admit `value` (independent of how the loader words its refusal).
    static func accepts(_ field: Field, _ value: String) -> Bool {
        switch field.kind {
        case .duration: DurationText.parse(value).map { ConfigBounds.durations[field.path]!.contains($0) } ?? false
        case .integer: Int(value).map { ConfigBounds.integers[field.path]!.contains($0) } ?? false
        }
    }

    /// A complete configuration: SMTP on a refusing loopback port, the token endpoint refusing too, the HTTP
    /// listener on an ephemeral port, and `settings` (`section.key` → YAML value) on top.
    static func document(database: String, _ settings: [String: String]) -> String {
        var merged = ["scheduler.interval": "1h", "smtp.host": "127.0.0.1", "smtp.port": "1", "http.listen": "127.0.0.1:0"]
        merged.merge(settings) { _, new in new }
        var sections: [String: [String]] = [:]
        for (path, value) in merged {
            let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
            let line = parts[1].hasSuffix("[]") ? "\(parts[1].dropLast(2)): [\(value)]" : "\(parts[1]): \(value)"
            sections[parts[0], default: []].append("  " + line)
        }
        sections["smtp", default: []].append("""
              auth:
                mailbox: sender@contoso.com
                tenant_id: \(TestConfig.tenant)
                client_id: \(TestConfig.client)
                client_secret_file: secret.txt
                secret_expires: 2099-05-31
                token_endpoint: \(TestConfig.refusingTokenEndpoint)
            """)
        sections["notifications"] = ["  to: [admin@contoso.com]"]
        return "database: \(database)\n" + sections.keys.sorted().map { "\($0):\n" + sections[$0]!.joined(separator: "\n") }
            .joined(separator: "\n") + "\n"
    }

    @Test("every duration and integer field of the loader is in this fuzz table")
    func tableCoversEveryBoundedField() {
        #expect(Set(Self.fields.filter { $0.kind == .duration }.map(\.path)) == Set(ConfigBounds.durations.keys))
        #expect(Set(Self.fields.filter { $0.kind == .integer }.map(\.path)) == Set(ConfigBounds.integers.keys))
    }

    @Test("check refuses out-of-range values naming the field; accepted values load and run; never a signal",
          arguments: fields)
    func fuzz(_ field: Field) async throws {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "fuzz-secret-value\n", mode: 0o600)
        for value in Self.values(field) {
            let path = try dir.write("c.yml", Self.document(database: dir.file("sw.db"), field.companions.merging([field.path: value]) { _, new in new }))
            let out = try await runProcess(TestPaths.executable, ["check", "--config", path], environment: [:])
            #expect(!out.signalled, "\(field) = \(value): check was killed by signal \(out.status)\n\(out.stderr.suffix(500))")
            if Self.accepts(field, value) {
                #expect(out.status == 0, "\(field) = \(value) is within the bounds but check exited \(out.status): \(out.stderr)")
                if out.status == 0 { try await Self.exercise(path, database: dir.file("sw.db")) }
            } else {
                #expect(out.status == 2, "\(field) = \(value) is out of bounds but check exited \(out.status)")
                #expect(out.stderr.contains("  - \(field.printed): "), "\(field) = \(value): the error does not name the field: \(out.stderr)")
            }
        }
        // The extremes also through the daemon binary: one pass on a scratch database.
        for value in Self.values(field).filter({ Self.accepts(field, $0) }).suffix(2) {
            let database = dir.file("once-\(UUID().uuidString).db")
            let path = try dir.write("once.yml", Self.document(database: database, field.companions.merging([field.path: value]) { _, new in new }))
            // The pass may queue an alarm mail that no server takes here: exit 1 ("still queued") is a clean end too.
            let out = try await runProcess(TestPaths.executable, ["run", "--once", "--deliver-timeout", "1s", "--config", path], environment: [:])
            #expect(!out.signalled && (out.status == 0 || out.status == 1),
                    "\(field) = \(value): run --once ended with \(out.signalled ? "signal" : "exit") \(out.status)\n\(out.stderr.suffix(800))")
        }
    }

    /// Uses an accepted configuration the way the daemon does: libcurl options of the token client and the SMTP
    /// transport, a sleep of every duration on the real clock (cancelled), the retry arithmetic, and one
    /// evaluation pass (with a real, refused token request) of a daemon built from it.
    static func exercise(_ path: String, database: String) async throws {
        let config = try ConfigLoader(environment: [:]).load(path: path).config
        try await BlockingExecutor.run {
            for settings in TokenEndpointSettings.all(config: config, environment: [:]) {
                try CurlEasy(secrets: Redactor.shared.curlSecrets).set(EntraTokenClient.options(settings, body: "grant_type=client_credentials"))
            }
            try CurlEasy(secrets: Redactor.shared.curlSecrets).set(SMTPTransport(config: config.smtp).baseOptions())
        }
        let m = config.mailer
        for seconds in [config.scheduler.interval, config.alarms.renotifyInterval, m.retryInitial, m.retryMax, m.giveUpAfter,
                        m.alarmAfter, m.pollInterval, config.smtp.connectTimeout, config.smtp.timeout,
                        config.token.connectTimeout, config.token.timeout] + (config.discovery.map { [$0.interval] } ?? []) {
            let sleeper = Task { try await SystemClock().sleep(for: seconds) }
            sleeper.cancel()
            _ = await sleeper.result
            #expect(!DurationText.format(seconds).isEmpty)
        }
        let retry = RetryPolicy(initial: m.retryInitial, maximum: m.retryMax, jitter: { 0.5 })
        #expect(retry.delay(afterAttempts: 1000, disposition: .transient) <= m.retryMax)
        let quiet = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
        // The HTTP limits as libmicrohttpd takes them.
        let server = MicroHTTPDServer(host: "127.0.0.1", port: 0, limits: config.http.limits, handler: NotFoundHandler(), logger: quiet)
        try server.start()
        server.stop()
        let daemon = try Daemon(config: config, clock: ManualClock(now: Date()), logger: quiet)
        _ = await daemon.runOnce()
    }
}

/// docs/configuration.md's "Bounds" table states every bound `ConfigBounds` enforces, as enforced.
@Suite("Bounds documented")
struct ConfigBoundsDocTests {
    @Test func everyBoundIsInTheTableWithItsRange() throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let table = try #require(doc.components(separatedBy: "## Bounds").dropFirst().first?.components(separatedBy: "\n## ").first)
        func row(_ field: String) -> String? {
            table.split(separator: "\n").first { $0.hasPrefix("| `\(field)` |") }.map(String.init)
        }
        for (field, range) in ConfigBounds.durations {
            let line = try #require(row(field), "no row for \(field)")
            let text = "\(DurationText.format(range.lowerBound)) – \(DurationText.format(range.upperBound))"
            #expect(line.contains(text), "\(field): the docs say \(line), the code accepts \(text)")
        }
        for (field, range) in ConfigBounds.integers {
            let name = field.replacingOccurrences(of: "[]", with: "")
            let line = try #require(row(name), "no row for \(name)")
            #expect(line.contains("\(range.lowerBound) – \(range.upperBound)"), "\(field): the docs say \(line), the code accepts \(range)")
        }
        #expect(row("notifications.to")?.contains("1 – \(ConfigBounds.maxRecipients) addresses") == true)
        #expect(row("alarms.thresholds_days")?.contains("1 – \(ConfigBounds.maxThresholds) entries") == true)
    }
}
