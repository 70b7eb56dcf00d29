import Foundation
import Testing
import SecretWatchCrypto
import SecretWatchStandIns
@testable import SecretWatchCore
import SecretWatchHTTPServer

@Suite("Configuration loading and validation")
struct ConfigLoaderTests {
    static let fixtures = TestPaths.testsDirectory("Config/Fixtures")

    static var invalidFixtures: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path))?
            .filter { $0.hasPrefix("invalid-") && $0.hasSuffix(".yml") }.sorted() ?? []
    }

    /// Copies a fixture next to a 0600 secret file, an empty file, a FIFO (`fifo`), a file that holds no
    /// certificate (`hostname`) and a damaged PEM certificate (`damaged-ca.pem`), and loads it.
    /// With `material`, also the certificate files the certificate fixtures name (see `writeCertificates`).
    func load(_ name: String, environment: [String: String] = ["SECRETWATCH_TEST_SECRET": "env-secret-value"],
              material: CryptoMaterial? = nil) throws -> (Result<ConfigLoader.Loaded, ConfigError>, TemporaryDirectory) {
        let dir = TemporaryDirectory()
        if let material { try Self.writeCertificates(material, in: dir) }
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
        try dir.write("secret.txt", "fixture-secret-value\n", mode: 0o600)
        try dir.write("empty.txt", "\n", mode: 0o600)
        try dir.write("short-token.txt", "too-short\n", mode: 0o600)
        try dir.write("hostname", "secretwatch-host\n")
        try dir.write("damaged-ca.pem", "issued by the lab CA\n-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ29udG9zbyBsYWIgQ0EgZGFtYWdlZA==\n-----END CERTIFICATE-----\n")
        #expect(mkfifo(dir.file("fifo"), 0o600) == 0)
        let path = try dir.write(name, text)
        let loader = ConfigLoader(environment: environment)
        // A reader that blocks on the FIFO would hang the suite: after a while, a writer feeds it one line so a
        // blocked load finishes (and the fixture fails as "loaded") instead.
        let unjam = FIFOUnjammer(dir.file("fifo"))
        defer { unjam.stop() }
        return (Result { () throws(ConfigError) in try loader.load(path: path) }, dir)
    }

    /// `app-cert.pem` and `app-key.pem` (0600): an RSA 2048 pair; `app-pair.pem`: both in one file (0600);
    /// `open-key.pem`: the key with mode 0644; `other-key.pem`: another key; `encrypted-key.pem`;
    /// `small-cert.pem`/`small-key.pem`: 1024 bits; `ec-cert.pem`/`ec-key.pem`: not RSA.
    static func writeCertificates(_ m: CryptoMaterial, in dir: TemporaryDirectory) throws {
        func copy(_ from: String, _ to: String, mode: Int = 0o600) throws {
            try dir.write(to, try String(contentsOfFile: from, encoding: .utf8), mode: mode)
        }
        try copy(m.certificate, "app-cert.pem", mode: 0o644)
        try copy(m.key, "app-key.pem")
        try copy(m.key, "open-key.pem", mode: 0o644)
        try dir.write("app-pair.pem", try String(contentsOfFile: m.key, encoding: .utf8) + String(contentsOfFile: m.certificate, encoding: .utf8), mode: 0o600)
        try copy(m.otherKey, "other-key.pem")
        try copy(m.encryptedKey, "encrypted-key.pem")
        try copy(m.smallCertificate, "small-cert.pem", mode: 0o644)
        try copy(m.smallKey, "small-key.pem")
        try copy(m.ecCertificate, "ec-cert.pem", mode: 0o644)
        try copy(m.ecKey, "ec-key.pem")
    }

    /// The `# expect:` lines, with `$DIR` (the fixture's directory) and, for certificate fixtures, `$SUBJECT`,
    /// `$THUMBPRINT` and `$NOTAFTER` of `app-cert.pem` filled in.
    static func expectations(_ name: String, dir: String, certificate: X509Certificate? = nil) throws -> [String] {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n")
            .filter { $0.hasPrefix("# expect: ") }
            .map { line in
                var text = String(line.dropFirst("# expect: ".count)).replacingOccurrences(of: "$DIR", with: dir)
                if let certificate {
                    text = text.replacingOccurrences(of: "$SUBJECT", with: certificate.subject)
                        .replacingOccurrences(of: "$THUMBPRINT", with: certificate.sha1Thumbprint)
                        .replacingOccurrences(of: "$NOTAFTER", with: Timestamps.rfc3339(certificate.notAfter))
                }
                return text
            }
    }

    @Test("every invalid fixture reports exactly its expected problems", arguments: invalidFixtures)
    func invalidFixture(_ name: String) async throws {
        let material = try await CryptoMaterial.shared()
        let (result, dir) = try load(name, material: material)
        let expected = try Self.expectations(name, dir: dir.path, certificate: try X509Certificate(pemFile: material.certificate))
        #expect(!expected.isEmpty, "fixture \(name) lists no expected problem")
        switch result {
        case .success:
            Issue.record("\(name) loaded but should have failed with \(expected)")
        case .failure(let error):
            #expect(error.problems.map(\.description).sorted() == expected.sorted(), "\(name)")
            #expect(error.file.hasSuffix(name))
        }
    }

    @Test("there is a fixture for each kind of bad input the issue names")
    func fixtureCoverage() {
        let names = Set(Self.invalidFixtures)
        for required in ["invalid-missing-field.yml", "invalid-unknown-key.yml", "invalid-bad-guid.yml",
                         "invalid-bad-address.yml", "invalid-bad-date.yml", "invalid-inline-secret.yml",
                         "invalid-unreadable-secret-file.yml", "invalid-negative-threshold.yml",
                         "invalid-duration-scheduler-interval.yml", "invalid-duration-token-timeout.yml",
                         "invalid-duration-token-connect-timeout.yml", "invalid-duration-smtp-timeout.yml",
                         "invalid-duration-smtp-connect-timeout.yml", "invalid-duration-overflow.yml",
                         "invalid-integer-overflow.yml", "invalid-fifo-secret-file.yml", "invalid-fifo-api-token-file.yml",
                         "invalid-fifo-ca-file.yml", "invalid-ca-file-no-certificate.yml", "invalid-ca-file-damaged.yml",
                         "invalid-too-many-recipients.yml", "invalid-too-many-thresholds.yml",
                         "invalid-display-name-line-separator.yml", "invalid-display-name-control-character.yml",
                         "invalid-control-character-echo.yml", "invalid-date-out-of-range.yml",
                         "invalid-duration-discovery-interval.yml", "invalid-discovery-no-tenants.yml",
                         "invalid-discovery-too-many-tenants.yml", "invalid-discovery-duplicate-name.yml",
                         "invalid-discovery-no-secret.yml", "invalid-discovery-inline-secret.yml",
                         "invalid-discovery-graph-endpoint-http.yml", "invalid-discovery-bad-app-id.yml",
                         "invalid-relay-duplicate-receiver.yml", "invalid-relay-receiver-name.yml",
                         "invalid-relay-no-recipients.yml", "invalid-relay-too-many-recipients.yml", "invalid-relay-bad-cc.yml",
                         "invalid-relay-subject-prefix-control.yml", "invalid-relay-token-unreadable.yml",
                         "invalid-relay-token-too-short.yml", "invalid-relay-token-credential-unset.yml",
                         "invalid-relay-no-token.yml", "invalid-relay-max-body-bytes.yml", "invalid-relay-dedup-window.yml",
                         "invalid-relay-max-recipients-per-day.yml"] {
            #expect(names.contains(required), "missing fixture \(required)")
        }
    }

    @Test("the shipped example is valid and gets the documented defaults")
    func example() throws {
        let path = TestPaths.packageRoot.appendingPathComponent("examples/secretwatch.yml").path
        let loaded = try ConfigLoader(environment: ["SECRETWATCH_CLIENT_SECRET": "example-secret-value"]).load(path: path)
        let config = loaded.config
        #expect(loaded.warnings.isEmpty)
        #expect(config.database == "/var/lib/secretwatch/secretwatch.db")
        #expect(config.http.listenHost == "127.0.0.1" && config.http.listenPort == 9465)
        #expect(config.smtp.host == "smtp.office365.com" && config.smtp.port == 587 && config.smtp.tls == .starttls)
        #expect(config.smtp.connectTimeout == 60)
        #expect(config.smtp.auth.secret == .environment("SECRETWATCH_CLIENT_SECRET"))
        #expect(config.smtp.auth.scope == "https://outlook.office365.com/.default")
        #expect(config.smtp.auth.resolvedTokenEndpoint == "https://login.microsoftonline.com/0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91/oauth2/v2.0/token")
        #expect(config.alarms.thresholdsDays == [30, 14, 7, 1])
        #expect(config.alarms.criticalDays == 7)
        #expect(config.alarms.renotifyInterval == 86400)
        #expect(config.allCredentials.map(\.name) == ["ise-smtp", "guest-portal"])
        #expect(config.credentials[0].secretExpires == Date.utc("2027-02-15T09:30:00Z"))
    }

    @Test("defaults of a minimal configuration")
    func minimalDefaults() throws {
        let (result, dir) = try load("valid-minimal.yml")
        let config = try result.get().config
        #expect(config.database == ConfigDefaults.database)
        #expect(config.logLevel == .info)
        #expect(config.scheduler.interval == 60)
        #expect(config.smtp.auth.name == "smtp")
        #expect(config.smtp.auth.secret == .file(dir.file("secret.txt")))
        #expect(config.notifications.from == "sender@contoso.com")
        #expect(config.notifications.includeSystemAlarms)
        #expect(config.smtp.auth.secretExpires == Date.utc("2027-05-31T00:00:00Z"))
        #expect(config.alarms.tokenFailuresBeforeAlarm == 3)
        #expect(config.http.limits == HTTPServerLimits())
    }

    @Test("the HTTP connection limits and timeouts are read from http")
    func httpLimits() throws {
        let dir = TemporaryDirectory()
        let config = try TestConfig.load(in: dir, expires: Date().addingTimeInterval(100 * 86400), extra: """
            http:
              connection_limit: 2000
              per_ip_connection_limit: 0
              request_timeout: 2500ms
              idle_timeout: 1500ms
            """)
        #expect(config.http.limits == HTTPServerLimits(connectionLimit: 2000, perIPConnectionLimit: 0, requestTimeout: 2.5,
                                                       connectionTimeout: 2))
    }

    @Test("a secret file readable by group or others loads with a warning")
    func groupReadableSecretWarns() throws {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "fixture-secret-value\n", mode: 0o644)
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("valid-minimal.yml"), encoding: .utf8)
        let path = try dir.write("c.yml", text)
        let loaded = try ConfigLoader(environment: [:]).load(path: path)
        #expect(loaded.warnings.map(\.description) == [
            "smtp.auth.client_secret_file: \"\(dir.file("secret.txt"))\" is readable by group or others (mode 0644); run chmod 600 on it",
        ])
    }

    @Test("implicit TLS defaults to port 465; an environment secret is accepted")
    func implicitTLS() throws {
        let dir = TemporaryDirectory()
        let path = try dir.write("c.yml", """
            smtp:
              tls: implicit
              auth:
                mailbox: sender@contoso.com
                tenant_id: contoso.onmicrosoft.com
                client_id: \(TestConfig.client)
                client_secret_env: SW_SECRET
                secret_expires: 2027-05-31T12:00:00+02:00
            notifications:
              to: [admin@contoso.com]
            """)
        let config = try ConfigLoader(environment: ["SW_SECRET": "abcdefgh"]).load(path: path).config
        #expect(config.smtp.port == 465)
        #expect(config.smtp.auth.tenantId == "contoso.onmicrosoft.com")
        #expect(config.smtp.auth.secretExpires == Date.utc("2027-05-31T10:00:00Z"))
    }

    @Test("a missing configuration file is one clear problem")
    func missingFile() {
        do {
            _ = try ConfigLoader().load(path: "/nonexistent/secretwatch.yml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.problems.map(\.description) == ["cannot read \"/nonexistent/secretwatch.yml\": No such file or directory"])
        }
    }

    @Test("the inline secret never appears in the error")
    func inlineSecretNotEchoed() throws {
        let (result, _) = try load("invalid-inline-secret.yml")
        guard case .failure(let error) = result else { Issue.record("loaded"); return }
        #expect(!error.description.contains("Qx88Q"))
    }

    @Test("an inline secret in a discovery tenant never appears in the error either")
    func discoveryInlineSecretNotEchoed() throws {
        let (result, _) = try load("invalid-discovery-inline-secret.yml")
        guard case .failure(let error) = result else { Issue.record("loaded"); return }
        #expect(!error.description.contains("Qx88Q"))
        #expect(!error.description.contains("graph-inline-secret-value"))
    }

    @Test("the IPv6 listen address as docs/configuration.md writes it loads")
    func quotedIPv6Listen() throws {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "fixture-secret-value\n", mode: 0o600)
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("valid-minimal.yml"), encoding: .utf8)
        let path = try dir.write("c.yml", text + "http:\n  listen: \"[::1]:9465\"\n")
        let config = try ConfigLoader(environment: [:]).load(path: path).config
        #expect(config.http.listenHost == "::1" && config.http.listenPort == 9465)
        let doc = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        #expect(doc.contains(#"`listen: "[::1]:9465"`"#), "the documented form is the one tested here")
    }

    @Test("a repeated notifications.to address (in any case) is sent one copy, with a warning")
    func duplicateRecipientsAreDropped() throws {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "fixture-secret-value\n", mode: 0o600)
        let path = try dir.write("c.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date.utc("2027-05-31T00:00:00Z"))
            .replacingOccurrences(of: "to: [admin@contoso.com]", with: "to: [admin@contoso.com, Ops@contoso.com, ADMIN@Contoso.com, ops@contoso.com]"))
        let loaded = try ConfigLoader(environment: [:]).load(path: path)
        #expect(loaded.config.notifications.to == ["admin@contoso.com", "Ops@contoso.com"])
        #expect(loaded.warnings.map(\.description) == [
            "notifications.to[2]: \"ADMIN@Contoso.com\" repeats notifications.to[0]; it gets one copy",
            "notifications.to[3]: \"ops@contoso.com\" repeats notifications.to[1]; it gets one copy",
        ])
    }

    @Test("100 recipients are accepted; a shipped CA bundle passes the certificate check")
    func boundaryValuesAreAccepted() throws {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "fixture-secret-value\n", mode: 0o600)
        let ca = try ThrowawayPKI(directory: dir.file("pki")).makeAuthority(named: "lab-ca")
        let list = (1...100).map { "admin\($0)@contoso.com" }.joined(separator: ", ")
        let path = try dir.write("c.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date.utc("2027-05-31T00:00:00Z"),
                                                          extra: "token:\n  ca_file: \(ca.certificatePath)")
            .replacingOccurrences(of: "to: [admin@contoso.com]", with: "to: [\(list)]"))
        let loaded = try ConfigLoader(environment: [:]).load(path: path)
        #expect(loaded.config.notifications.to.count == 100)
        #expect(loaded.config.token.caFile == ca.certificatePath)
    }
}
