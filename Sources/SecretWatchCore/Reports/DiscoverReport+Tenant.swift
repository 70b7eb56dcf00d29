import FoundationEssentials

extension DiscoverReport {
    /// One tenant: its outcome, what Graph listed, what the filters keep, the secrets in use; or its failure.
    public struct Tenant: Encodable, Sendable {
        public var tenant: String
        public var tenantId: String
        /// The credential whose token read Graph (the SMTP one, or `discovery:<tenant>`).
        public var reader: String
        /// `success` or `failure`.
        public var outcome: String
        public var startedAt: Date
        public var durationSeconds: Double
        public var pages: Int
        /// Applications (and enterprise apps) Graph listed, before the filters; nil on failure.
        public var applications: Int?
        public var credentials: [Credential]
        public var secretInUse: [InUse]
        public var failure: Failure?

        enum CodingKeys: String, CodingKey {
            case tenant, reader, outcome, pages, applications, credentials, failure
            case tenantId = "tenant_id"
            case startedAt = "started_at"
            case durationSeconds = "duration_seconds"
            case secretInUse = "secret_in_use"
        }

        init(_ discovery: TenantDiscovery, _ outcome: TenantDiscoveryOutcome, config: Config, now: Date) {
            tenant = discovery.tenant.name
            tenantId = discovery.tenant.tenantId
            reader = discovery.reader
            startedAt = outcome.startedAt
            durationSeconds = outcome.duration
            pages = outcome.pages
            switch outcome.result {
            case .success(let found):
                self.outcome = DiscoveryRun.Outcome.success.rawValue
                applications = found.applications
                credentials = found.credentials.map { Credential($0, policy: config.alarms, now: now) }
                let configured = Dictionary(config.allCredentials.map { ($0.name, $0.expiresAt) }, uniquingKeysWith: { a, _ in a })
                secretInUse = discovery.secrets.map { entry in
                    InUse(credential: entry.name, configuredExpiresAt: configured[entry.name] ?? nil,
                          secretInUse: found.inUse[entry.name].map(SecretInUseView.init))
                }
                failure = nil
            case .failure(let f):
                self.outcome = DiscoveryRun.Outcome.failure.rawValue
                applications = nil
                credentials = []
                secretInUse = []
                failure = Failure(f)
            }
        }

        /// A tenant whose reader has no token settings (validation prevents it).
        init(unreadable tenant: DiscoveryTenantConfig, config: Config, at date: Date) {
            self.tenant = tenant.name
            tenantId = tenant.tenantId
            reader = tenant.readerCredential(smtp: config.smtp.auth.name)
            outcome = DiscoveryRun.Outcome.failure.rawValue
            startedAt = date
            durationSeconds = 0
            pages = 0
            applications = nil
            credentials = []
            secretInUse = []
            failure = Failure(.init(reason: "config_invalid", message: "no token settings for the reader credential \(reader)",
                                    fix: "run secretwatch check and correct the discovery tenant's reader app", detail: nil,
                                    retryAfter: nil))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(tenant, forKey: .tenant)
            try c.encode(tenantId, forKey: .tenantId)
            try c.encode(reader, forKey: .reader)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(startedAt, forKey: .startedAt)
            try c.encode(durationSeconds, forKey: .durationSeconds)
            try c.encode(pages, forKey: .pages)
            try c.encode(applications, forKey: .applications)
            try c.encode(credentials, forKey: .credentials)
            try c.encode(secretInUse, forKey: .secretInUse)
            try c.encode(failure, forKey: .failure)
        }

        /// The tenant's block of the text output.
        public func renderText() -> String {
            let head = "tenant \(VisibleText.escaped(tenant)) (tenant id \(VisibleText.escaped(tenantId)), read as \(VisibleText.escaped(reader)))"
            let took = String(cFormat: "%.2f s", durationSeconds)
            if let failure {
                var out = "\(head): FAILED \(failure.reason) (\(took))\n"
                out += "  what it means: \(VisibleText.escaped(failure.message))\n"
                if !failure.fix.isEmpty { out += "  fix: \(VisibleText.escaped(failure.fix))\n" }
                if let detail = failure.detail, !detail.isEmpty { out += "  detail: \(VisibleText.escaped(detail))\n" }
                return out
            }
            var out = "\(head): \(applications ?? 0) application\(applications == 1 ? "" : "s") listed in \(pages) page\(pages == 1 ? "" : "s") (\(took)); "
                + "\(credentials.count) credential\(credentials.count == 1 ? "" : "s") kept by the filters\n"
            if !credentials.isEmpty {
                var table = TextTable(headers: ["CREDENTIAL", "APP", "APP ID", "TYPE", "KEY ID", "STARTS (UTC)", "EXPIRES (UTC)", "DAYS LEFT"])
                for c in credentials {
                    table.add([c.name, c.appName ?? "-", c.appId, c.type, c.keyId ?? "-", c.startsAt.map(Timestamps.rfc3339) ?? "-",
                               c.expiresAt.map(Timestamps.rfc3339) ?? "-", c.expired ? "expired" : c.daysLeft.map(String.init) ?? "-"])
                }
                out += table.render()
            }
            for entry in secretInUse { out += VisibleText.escaped(entry.line) + "\n" }
            return out
        }
    }
}
