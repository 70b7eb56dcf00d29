import FoundationEssentials
internal import SecretWatchCrypto

/// The folder `secretwatch demo` works in: its configuration, database, secret files, the certificate credentials'
/// certificates and keys (`certificates/`) and the e-mails the Exchange stand-in received (`mail/*.eml`).
/// Everything stays after the demo ends; nothing outside is touched.
public struct DemoWorkspace: Sendable {
    public let directory: String

    public static let tenant = "8f3e2a10-6b7c-4d2e-9a1b-0c5d4e3f2a10"
    public static let mailbox = "ise-alerts@contoso.example"
    public static let admin = "mail-admins@contoso.example"
    /// The secret the Entra stand-in accepts; the legacy app's file holds another one.
    public static let goodSecret = "demo~Secret.Value-accepted-by-the-stand-in"
    static let wrongSecret = "demo~Secret.ID-pasted-instead-of-the-Value"

    /// The demo's credentials: name, display name, client id, expiry (days from now), secret (nil = expiry only).
    public struct DemoCredential: Sendable {
        public var name: String
        public var displayName: String
        public var clientId: String
        public var expiresInDays: Double
        public var secret: String?
        public var story: String
    }

    public static let credentials: [DemoCredential] = [
        DemoCredential(name: "guest-portal", displayName: "ISE guest portal app", clientId: "3a1f0c2e-1d4b-4c6a-8e2f-0b9d8c7a6e51",
                       expiresInDays: -3, secret: nil, story: "its secret expired 3 days ago"),
        DemoCredential(name: "sponsor-portal", displayName: "ISE sponsor portal app", clientId: "6c2e9b4d-3f1a-4e8c-9d7b-2a1c0e9f8d72",
                       expiresInDays: 5, secret: nil, story: "its secret expires in 5 days"),
        DemoCredential(name: "byod-portal", displayName: "ISE BYOD portal app", clientId: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c93",
                       expiresInDays: 300, secret: nil, story: "healthy: 300 days left"),
        DemoCredential(name: "legacy-app", displayName: "Legacy reporting app", clientId: "2b3c4d5e-6f70-4a8b-9c0d-1e2f3a4b5c14",
                       expiresInDays: 120, secret: wrongSecret, story: "its token requests fail: the secret ID was pasted instead of the Value (no secret of its app in Entra)"),
    ]
    public static let smtpClientId = "5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a"

    /// A credential that signs in with a certificate (client assertion): the demo mints its certificate and key
    /// (`certificates/NAME.crt`, `certificates/NAME.key`, mode 0600), valid for `validForDays` from the start, and
    /// registers the certificate with the token stand-in, which verifies each assertion's signature against it.
    public struct DemoCertificateCredential: Sendable {
        public var name: String
        public var displayName: String
        public var clientId: String
        public var validForDays: Double
        public var story: String
    }

    public static let certificateCredentials: [DemoCertificateCredential] = [
        DemoCertificateCredential(name: "inventory-app", displayName: "ISE inventory app", clientId: "4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e25",
                                  validForDays: 365, story: "signs in with a certificate (client assertion), valid for a year"),
        DemoCertificateCredential(name: "posture-app", displayName: "ISE posture app", clientId: "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c36",
                                  validForDays: 5, story: "signs in with a certificate that expires in 5 days"),
    ]

    public init(directory: String) throws {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        for sub in ["", "secrets", "mail", "pki", "certificates"] {
            try FileManager.default.createDirectory(atPath: path(sub), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
    }

    public func path(_ name: String) -> String {
        name.isEmpty ? directory : directory + "/" + name
    }

    public var configPath: String { path("secretwatch.yml") }
    public var databasePath: String { path("secretwatch.db") }
    public var mailDirectory: String { path("mail") }
    public var pkiDirectory: String { path("pki") }
    public var apiTokenPath: String { path("secrets/api-token") }
    /// The app registrations the Graph stand-in lists (`DemoTenant`), in Graph's shape.
    public var graphApplicationsPath: String { path("graph-applications.json") }
    /// The certificate credentials' certificates and keys.
    public var certificatesDirectory: String { path("certificates") }
    public func certificatePath(_ credential: String) -> String { certificatesDirectory + "/\(credential).crt" }
    public func keyPath(_ credential: String) -> String { certificatesDirectory + "/\(credential).key" }

    /// Arguments for `secretwatch-standins` matching this workspace (after `makeCertificates` and
    /// `writeGraphApplications`): every certificate credential's certificate is registered with the token stand-in.
    public var standInArguments: [String] {
        ["--dir", pkiDirectory, "--mail-dir", mailDirectory, "--secret", Self.goodSecret, "--mailbox", Self.mailbox,
         "--graph-applications-file", graphApplicationsPath]
            + Self.certificateCredentials.flatMap { ["--registered-certificate", certificatePath($0.name)] }
    }

    /// Mints a new certificate and key for every certificate credential, valid from now (so the expiring one
    /// always has its 5 days), with `secretwatch-standins --make-app-certificate`. Blocks while it runs.
    public func makeCertificates(standIns executable: String = StandInsProcess.defaultExecutable()) throws {
        let made = try StandInsProcess.makeAppCertificates(executable: executable, in: certificatesDirectory,
                                                           Self.certificateCredentials.map { ($0.name, $0.validForDays) })
        for c in Self.certificateCredentials {
            guard made.contains(where: { $0.name == c.name && $0.certificateFile == certificatePath(c.name) && $0.keyFile == keyPath(c.name) }) else {
                throw StandInsProcess.Failure(description: "secretwatch-standins did not mint \(certificatePath(c.name)) and \(keyPath(c.name))")
            }
        }
    }

    /// What the certificate credentials' certificates are, read from their files: thumbprint and validity.
    public func appCertificates() throws -> [DemoTenant.AppCertificate] {
        try Self.certificateCredentials.map { c in
            let certificate = try X509Certificate(pemFile: certificatePath(c.name))
            return DemoTenant.AppCertificate(credential: c.name, thumbprint: certificate.sha1Thumbprint,
                                             notBefore: certificate.notBefore, notAfter: certificate.notAfter)
        }
    }

    /// Writes the tenant the Graph stand-in lists, dates counted from `now`: hints only, no secret; the
    /// certificate credentials' apps list `certificates` (`appCertificates()`).
    public func writeGraphApplications(now: Date = Date(), certificates: [DemoTenant.AppCertificate] = []) throws {
        try DemoTenant.graphJSON(now: now, certificates: certificates).write(to: URL(fileURLWithPath: graphApplicationsPath), options: .atomic)
    }

    /// Writes the secret files (0600) and the configuration for the running stand-ins; returns the config path.
    @discardableResult
    public func writeConfiguration(endpoints: StandInsProcess.Endpoints, listen: String, now: Date = Date(),
                                   schedulerInterval: String = "5s") throws -> String {
        try writeSecret("secrets/ise-smtp.secret", Self.goodSecret)
        if !FileManager.default.fileExists(atPath: apiTokenPath) {
            try writeSecret("secrets/api-token", "demo-api-" + UUID().uuidString.lowercased())
        }
        func day(_ offset: Double) -> String { Timestamps.rfc3339(now.addingTimeInterval(offset * 86400)) }
        var watched = ""
        for c in Self.credentials {
            watched += """

                  - name: \(c.name)
                    display_name: \(c.displayName)
                    tenant_id: \(Self.tenant)
                    client_id: \(c.clientId)
                    secret_expires: \(day(c.expiresInDays))   # \(c.story)
                """
            if let secret = c.secret {
                try writeSecret("secrets/\(c.name).secret", secret)
                watched += """

                        client_secret_file: \(path("secrets/\(c.name).secret"))
                        token_endpoint: \(endpoints.tokenEndpoint)
                    """
            }
        }
        for c in Self.certificateCredentials {
            watched += """

                  - name: \(c.name)
                    display_name: \(c.displayName)
                    tenant_id: \(Self.tenant)
                    client_id: \(c.clientId)
                    client_certificate_file: \(certificatePath(c.name))   # \(c.story); the expiry is the certificate's
                    client_key_file: \(keyPath(c.name))
                    token_endpoint: \(endpoints.tokenEndpoint)
                """
        }
        let yaml = """
            # Written by `secretwatch demo`. It points at LOCAL STAND-INS for Entra ID and Exchange Online on
            # 127.0.0.1 — not Microsoft. See docs/configuration.md for every field.
            database: \(databasePath)
            log_level: notice
            http:
              listen: \(listen)
              api_token_file: \(apiTokenPath)
            scheduler:
              interval: \(schedulerInterval)
            smtp:
              host: \(endpoints.smtpHost)
              port: \(endpoints.smtpPort)
              tls: starttls
              connect_timeout: 10s
              timeout: 30s
              ca_file: \(endpoints.caFile)
              auth:
                name: ise-smtp
                display_name: Cisco ISE mail (demo)
                mailbox: \(Self.mailbox)
                tenant_id: \(Self.tenant)
                client_id: \(Self.smtpClientId)
                client_secret_file: \(path("secrets/ise-smtp.secret"))
                secret_expires: \(day(200))
                token_endpoint: \(endpoints.tokenEndpoint)
            token:
              connect_timeout: 5s
              timeout: 10s
              ca_file: \(endpoints.caFile)
              proxy: direct
            notifications:
              from: \(Self.mailbox)
              to: [\(Self.admin)]
              include_system_alarms: true
            alarms:
              thresholds_days: [30, 14, 7, 1]
              renotify_interval: 1h
              token_failures_before_alarm: 1
            mailer:
              poll_interval: 1s
              retry_initial: 2s
              retry_max: 30s
            credentials:\(watched)
            # The SMTP app also reads the tenant's app registrations from the Graph stand-in (it would need
            # Application.Read.All in Entra): every secret and certificate becomes a watched credential, and the
            # secret each configured credential reads is found among them. See docs/discovery.md.
            discovery:
              graph_endpoint: \(endpoints.graphBaseURL)
              tenants:
                - name: \(DemoTenant.name)
                  use_smtp_credential: true
                  scope: https://graph.microsoft.com/.default

            """
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        return configPath
    }

    private func writeSecret(_ name: String, _ value: String) throws {
        let file = path(name)
        try (value + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
    }
}
