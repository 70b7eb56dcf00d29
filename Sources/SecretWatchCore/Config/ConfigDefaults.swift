import FoundationEssentials
import Logging
internal import SecretWatchHTTPServer

/// What every optional field takes when the configuration leaves it out (docs/configuration.md states each).
/// The reader and the configuration types take their defaults from here and nowhere else.
public enum ConfigDefaults {
    public static let configPath = "/etc/secretwatch/secretwatch.yml"
    public static let database = "/var/lib/secretwatch/secretwatch.db"
    public static let logLevel = Logger.Level.info

    public static let listenHost = "127.0.0.1"
    public static let listenPort = 9465
    public static var listen: String { "\(listenHost):\(listenPort)" }
    public static let httpConnectionLimit = 4096
    public static let httpPerIPConnectionLimit = 64
    public static let httpRequestTimeout: TimeInterval = 5
    /// libmicrohttpd counts whole seconds.
    public static let httpIdleTimeout = 30
    /// The server's limits as configured when `http:` sets none of them.
    static var httpLimits: HTTPServerLimits {
        HTTPServerLimits(connectionLimit: httpConnectionLimit, perIPConnectionLimit: httpPerIPConnectionLimit,
                         requestTimeout: httpRequestTimeout, connectionTimeout: httpIdleTimeout)
    }

    public static let schedulerInterval: TimeInterval = 60

    public static let smtpHost = "smtp.office365.com"
    public static let smtpTLS = TLSMode.starttls
    /// The port for `smtp.tls`: 587 for STARTTLS, 465 for implicit TLS.
    public static func smtpPort(_ tls: TLSMode) -> Int { tls == .implicit ? 465 : 587 }
    public static let smtpConnectTimeout: TimeInterval = 60
    public static let smtpTimeout: TimeInterval = 300

    public static let credentialName = "smtp"
    public static let tokenEndpoint = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    public static let scope = "https://outlook.office365.com/.default"
    public static let tokenConnectTimeout: TimeInterval = 10
    public static let tokenTimeout: TimeInterval = 30

    public static let includeSystemAlarms = true

    public static let thresholdsDays = [30, 14, 7, 1]
    public static let renotifyInterval: TimeInterval = 86_400
    public static let tokenFailuresBeforeAlarm = 3

    /// Exchange Online's limits: 3 sessions and 30 messages a minute per mailbox.
    public static let mailerConcurrency = 3
    public static let mailerRatePerMinute = 30
    public static let mailerRetryInitial: TimeInterval = 30
    public static let mailerRetryMax: TimeInterval = 3600
    public static let mailerGiveUpAfter: TimeInterval = 3 * 86_400
    public static let mailerAlarmAfter: TimeInterval = 1800
    public static let mailerPollInterval: TimeInterval = 10

    public static let discoveryInterval: TimeInterval = 3600
    public static let graphEndpoint = "https://graph.microsoft.com"
    public static let discoveryIncludeServicePrincipals = false
    /// Consecutive failed discoveries of a tenant before `discovery_failing` is raised.
    public static let discoveryFailuresBeforeAlarm = 3
    /// After a failed discovery the tenant is tried again after 1 minute, doubling up to `discovery.interval`
    /// (at least what a 429/503 `Retry-After` asks).
    public static let discoveryRetryInitial: TimeInterval = 60
    /// Tenants discovered at the same time.
    public static let discoveryConcurrency = 4
    /// The Graph scope with the default `graphEndpoint`.
    public static let graphScope = "https://graph.microsoft.com/.default"
    /// The bounds of one Graph listing (docs/discovery.md, "Bounds"): seconds per page, `$top`, pages followed,
    /// bytes of one page and of all pages together. 200 pages of 999 hold about 200,000 applications; a page of
    /// 999 applications with a few credentials each is a few MiB.
    public static let graphTimeout: TimeInterval = 60
    public static let graphPageSize = 999
    public static let graphMaxPages = 200
    public static let graphMaxPageBytes = 32 << 20
    public static let graphMaxTotalBytes = 512 << 20

    /// `relay.max_body_bytes`: 256 KiB holds a notification of a few hundred alerts.
    public static let relayMaxBodyBytes = 256 * 1024
    /// `relay.dedup_window`: Alertmanager's resends after a timeout come within seconds to minutes.
    public static let relayDedupWindow: TimeInterval = 600
    /// `relay.max_recipients_per_day`: half of Exchange Online's 10,000 recipients a day per mailbox, so that relayed
    /// mail can never use up the quota alarm mail needs.
    public static let relayMaxRecipientsPerDay = 5000

    /// A tenant's default scope: the resource of `discovery.graph_endpoint` (scheme, host and port, without the
    /// path) followed by `/.default`, so a national cloud's endpoint brings its own scope.
    public static func graphScope(for endpoint: String) -> String {
        guard let url = URL(string: endpoint), let scheme = url.scheme, let host = url.host else { return graphScope }
        let authority = url.port.map { "\(host):\($0)" } ?? host
        return "\(scheme.lowercased())://\(authority.lowercased())/.default"
    }
}

/// The accepted range of every duration and whole-number field, by field path (docs/configuration.md states
/// each). `YAMLObject.duration` and `YAMLObject.int` look their field up here, so no such field can be read
/// without a bound; the upper bounds keep every later conversion (milliseconds for libcurl, nanoseconds for a
/// sleep) far from overflowing.
public enum ConfigBounds {
    public static let durations: [String: ClosedRange<TimeInterval>] = [
        "scheduler.interval": 1...day,
        "smtp.connect_timeout": 0.001...(10 * minute),
        "smtp.timeout": 0.001...hour,
        "token.connect_timeout": 0.1...(10 * minute),
        "token.timeout": 0.1...(10 * minute),
        "alarms.renotify_interval": minute...(365 * day),
        "mailer.retry_initial": 1...day,
        "mailer.retry_max": 1...day,
        "mailer.give_up_after": minute...(30 * day),
        "mailer.alarm_after": 1...(7 * day),
        "mailer.poll_interval": 0.1...hour,
        "http.request_timeout": 1...(5 * minute),
        "http.idle_timeout": 1...hour,
        "discovery.interval": minute...(7 * day),
        "relay.dedup_window": 0...day,
    ]

    /// `alarms.thresholds_days[]` stands for every item of that list.
    public static let integers: [String: ClosedRange<Int>] = [
        "smtp.port": 1...65535,
        "mailer.concurrency": 1...10,
        "mailer.rate_per_minute": 0...6000,
        "alarms.thresholds_days[]": 1...3650,
        "alarms.critical_days": 0...3650,
        "alarms.token_failures_before_alarm": 1...1000,
        "http.connection_limit": 16...65_536,
        "http.per_ip_connection_limit": 0...65_536,
        "relay.max_body_bytes": 1024...(8 << 20),
        "relay.max_recipients_per_day": 0...1_000_000,
    ]

    /// Entries of `notifications.to`.
    public static let maxRecipients = 100
    /// Entries of `alarms.thresholds_days`.
    public static let maxThresholds = 20
    /// Entries of `discovery.tenants` (an MSP's estate; each is one Graph pass per interval).
    public static let maxDiscoveryTenants = 1000
    /// Entries of `relay.receivers`.
    public static let maxRelayReceivers = 1000
    /// Entries of each discovery filter list (`include_app_ids`, `exclude_names`, …).
    public static let maxDiscoveryFilterEntries = 1000

    static func duration(_ path: String) -> ClosedRange<TimeInterval> {
        guard let bounds = durations[path] else { preconditionFailure("duration field \(path) has no entry in ConfigBounds.durations") }
        return bounds
    }

    static func integer(_ path: String) -> ClosedRange<Int> {
        guard let bounds = integers[path] else { preconditionFailure("integer field \(path) has no entry in ConfigBounds.integers") }
        return bounds
    }

    private static let minute: TimeInterval = 60
    private static let hour: TimeInterval = 3600
    private static let day: TimeInterval = 86_400
}
