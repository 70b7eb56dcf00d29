import FoundationEssentials

/// What `secretwatch check --json` prints: whether the configuration is valid and, when it is, what it watches;
/// with `--connect`, every stage of the connection test and the certificate chains seen. Never holds a secret:
/// secrets appear only as where they come from (`file /etc/…`, `systemd credential …`).
public struct CheckReport: Encodable, Sendable {
    public var config: String
    public var valid: Bool
    public var errors: [ConfigProblem]
    public var warnings: [ConfigProblem]
    public var database: String?
    public var httpListen: String?
    public var smtp: SMTP?
    public var notifications: Notifications?
    public var thresholdsDays: [Int]?
    public var criticalDays: Int?
    public var discovery: Discovery?
    public var relay: Relay?
    public var credentials: [CredentialLine]?
    /// Present with `--connect` only.
    public var connection: Connection?

    public struct SMTP: Encodable, Sendable {
        public var host: String
        public var port: Int
        public var tls: String
        public var mailbox: String
        /// `client secret from file /etc/…`, `certificate …`: where the credential comes from, never its value.
        public var authentication: String
        public var tokenEndpoint: String
        public var scope: String
    }

    public struct Notifications: Encodable, Sendable {
        public var from: String
        public var to: [String]
    }

    public struct Discovery: Encodable, Sendable {
        public var tenants: [String]
        public var graphEndpoint: String
        public var intervalSeconds: Int
    }

    /// The webhook relay: its receivers, where each one's token comes from (never the token), and its limits.
    public struct Relay: Encodable, Sendable {
        public var receivers: [Receiver]
        public var maxBodyBytes: Int
        public var dedupWindowSeconds: Int
        public var maxRecipientsPerDay: Int

        public struct Receiver: Encodable, Sendable {
            public var name: String
            public var path: String
            public var to: [String]
            public var cc: [String]
            public var subjectPrefix: String?
            public var token: String?

            enum CodingKeys: String, CodingKey {
                case name, path, to, cc, token
                case subjectPrefix = "subject_prefix"
            }
        }

        public init(_ config: RelayConfig) {
            receivers = config.receivers.map {
                Receiver(name: $0.name, path: "/api/v1/relay/\($0.name)", to: $0.to, cc: $0.cc, subjectPrefix: $0.subjectPrefix,
                         token: config.tokenSource(of: $0)?.description)
            }
            maxBodyBytes = config.maxBodyBytes
            dedupWindowSeconds = Int(config.dedupWindow)
            maxRecipientsPerDay = config.maxRecipientsPerDay
        }

        /// `check`'s lines: one for the section, one per receiver.
        public var lines: [String] {
            ["relay: \(receivers.count) receiver\(receivers.count == 1 ? "" : "s"), bodies up to \(maxBodyBytes) bytes, "
                + (dedupWindowSeconds > 0 ? "the same notification again within \(DurationText.format(TimeInterval(dedupWindowSeconds))) sends no mail"
                                          : "no de-duplication")
                + (maxRecipientsPerDay > 0 ? ", at most \(maxRecipientsPerDay) recipients in 24 hours" : ", no daily recipient cap")]
                + receivers.map { r in
                    "  POST \(r.path) → \(r.to.joined(separator: ", "))" + (r.cc.isEmpty ? "" : ", cc \(r.cc.joined(separator: ", "))")
                        + " (token from \(r.token ?? "nowhere"))"
                }
        }

        enum CodingKeys: String, CodingKey {
            case receivers
            case maxBodyBytes = "max_body_bytes", dedupWindowSeconds = "dedup_window_seconds"
            case maxRecipientsPerDay = "max_recipients_per_day"
        }
    }

    public struct CredentialLine: Encodable, Sendable {
        public var name: String
        public var displayName: String?
        public var tenantId: String
        public var clientId: String
        public var type: String
        public var expiresAt: Date?
        public var daysLeft: Int?
        public var expired: Bool?
    }

    public struct Connection: Encodable, Sendable {
        public var passed: Bool
        /// The first stage that failed; nil when every stage passed.
        public var failedStage: String?
        public var stages: [Stage]
        public var certificateChains: [Chain]
    }

    public struct Stage: Encodable, Sendable {
        public var stage: String
        public var ok: Bool
        public var durationMs: Int
        public var summary: String?
        public var reason: String?
        public var message: String?
        public var fix: String?
        public var detail: String?

        public init(_ result: ConnectionStageResult) {
            stage = result.stage
            ok = result.ok
            durationMs = Int((result.duration * 1000).rounded())
            summary = result.ok ? Redactor.scrub(result.summary) : nil
            reason = result.failure?.reason
            message = result.failure.map { Redactor.scrub($0.message) }
            fix = result.failure?.fix
            detail = result.failure?.detail.map(Redactor.scrub)
        }
    }

    public struct Chain: Encodable, Sendable {
        public var label: String
        public var endpoint: String
        public var certificates: [Certificate]
    }

    public struct Certificate: Encodable, Sendable {
        public var position: String
        public var subject: String
        public var issuer: String
        public var notAfter: Date
        public var daysLeft: Int
        public var expired: Bool
    }

    /// The answer for a configuration that does not load: its problems, nothing else.
    public static func invalid(path: String, problems: [ConfigProblem]) -> CheckReport {
        CheckReport(config: path, valid: false, errors: problems, warnings: [])
    }

    init(config: String, valid: Bool, errors: [ConfigProblem], warnings: [ConfigProblem]) {
        self.config = config
        self.valid = valid
        self.errors = errors
        self.warnings = warnings
    }

    /// The report of a valid configuration at `now`.
    public init(path: String, loaded: ConfigLoader.Loaded, now: Date) {
        let config = loaded.config
        self.init(config: path, valid: true, errors: [], warnings: loaded.warnings)
        database = config.database
        httpListen = "\(config.http.listenHost):\(config.http.listenPort)"
        let auth = config.smtp.auth
        smtp = SMTP(host: config.smtp.host, port: config.smtp.port, tls: config.smtp.tls.rawValue, mailbox: auth.mailbox,
                    authentication: auth.authentication.description, tokenEndpoint: auth.resolvedTokenEndpoint, scope: auth.scope)
        notifications = Notifications(from: config.notifications.from, to: config.notifications.to)
        thresholdsDays = config.alarms.thresholdsDays
        criticalDays = config.alarms.criticalDays
        discovery = config.discovery.map {
            Discovery(tenants: $0.tenants.map(\.name), graphEndpoint: $0.graphEndpoint, intervalSeconds: Int($0.interval))
        }
        relay = config.relay.map(Relay.init)
        credentials = config.allCredentials.map { c in
            let assessment = c.expiresAt.map { config.alarms.assess(expiresAt: $0, now: now) }
            return CredentialLine(name: c.name, displayName: c.displayName, tenantId: c.tenantId, clientId: c.clientId,
                                  type: c.type.rawValue, expiresAt: c.expiresAt, daysLeft: assessment?.daysLeft,
                                  expired: assessment?.expired)
        }
    }

    /// Adds the connection test's stages and the chains the report lists.
    public mutating func addConnection(_ results: [ConnectionStageResult], chains: CertificateChainReport,
                                       certificates: EndpointCertificates, now: Date) {
        let chainViews = chains.endpoints.map { label, endpoint in
            Chain(label: label, endpoint: endpoint, certificates: certificates.chain(of: endpoint).map { certificate in
                let seconds = certificate.notAfter.timeIntervalSince(now)
                return Certificate(position: certificate.position, subject: certificate.subject, issuer: certificate.issuer,
                                   notAfter: certificate.notAfter, daysLeft: Int((seconds / 86400).rounded(.up)),
                                   expired: seconds <= 0)
            })
        }
        connection = Connection(passed: results.allSatisfy(\.ok), failedStage: results.first(where: { !$0.ok })?.stage,
                                stages: results.map(Stage.init), certificateChains: chainViews)
    }

    enum CodingKeys: String, CodingKey {
        case config, valid, errors, warnings, database, smtp, notifications, discovery, relay, credentials, connection
        case httpListen = "http_listen", thresholdsDays = "thresholds_days", criticalDays = "critical_days"
    }
}

extension CheckReport.SMTP {
    enum CodingKeys: String, CodingKey {
        case host, port, tls, mailbox, authentication, scope
        case tokenEndpoint = "token_endpoint"
    }
}

extension CheckReport.Discovery {
    enum CodingKeys: String, CodingKey {
        case tenants
        case graphEndpoint = "graph_endpoint", intervalSeconds = "interval_seconds"
    }
}

extension CheckReport.CredentialLine {
    enum CodingKeys: String, CodingKey {
        case name, type, expired
        case displayName = "display_name", tenantId = "tenant_id", clientId = "client_id", expiresAt = "expires_at"
        case daysLeft = "days_left"
    }
}

extension CheckReport.Connection {
    enum CodingKeys: String, CodingKey {
        case passed, stages
        case failedStage = "failed_stage", certificateChains = "certificate_chains"
    }
}

extension CheckReport.Stage {
    enum CodingKeys: String, CodingKey {
        case stage, ok, summary, reason, message, fix, detail
        case durationMs = "duration_ms"
    }
}

extension CheckReport.Certificate {
    enum CodingKeys: String, CodingKey {
        case position, subject, issuer, expired
        case notAfter = "not_after", daysLeft = "days_left"
    }
}
