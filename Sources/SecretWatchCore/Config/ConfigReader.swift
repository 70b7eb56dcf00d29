import Foundation
import Logging
import Yams
internal import SecretWatchHTTPServer

/// The field-by-field reading of the document, one method per section; every problem is recorded under its
/// field path. Credentials and secrets are read in ConfigReader+Credentials.swift.
struct ConfigReader {
    let problems: ProblemList
    let environment: [String: String]
    let checkSecrets: Bool
    let baseDirectory: String

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
    }

    func read(_ root: YAMLObject, sourcePath: String) -> Config? {
        let database = root.string("database").map(absolute) ?? ConfigDefaults.database
        let logLevel = readLogLevel(root)
        let http = readHTTP(root.object("http"))
        let interval = root.object("scheduler").map { obj -> TimeInterval? in
            defer { obj.finish() }
            return obj.duration("interval")
        } ?? nil
        let smtp = readSMTP(root.object("smtp", required: true))
        let notifications = readNotifications(root.object("notifications", required: true), smtpMailbox: smtp?.auth.mailbox)
        let alarms = readAlarms(root.object("alarms"))
        let credentials = readCredentials(root.list("credentials"), smtpName: smtp?.auth.name)
        let token = readToken(root.object("token"))
        let mailer = MailerConfig.read(root.object("mailer"), problems: problems)
        let discovery = readDiscovery(root.object("discovery"), smtp: smtp?.auth)
        let relay = readRelay(root.object("relay"))
        root.finish()
        guard let smtp, let notifications, let http, let alarms else { return nil }
        return Config(database: database, logLevel: logLevel, http: http,
                      scheduler: SchedulerConfig(interval: interval ?? ConfigDefaults.schedulerInterval), smtp: smtp,
                      notifications: notifications, alarms: alarms, mailer: mailer, credentials: credentials,
                      sourcePath: sourcePath, token: token, discovery: discovery, relay: relay)
    }

    func readLogLevel(_ root: YAMLObject) -> Logger.Level {
        guard let text = root.string("log_level") else { return ConfigDefaults.logLevel }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            problems.error(root.fieldPath("log_level"), "must be one of \(names); got \"\(text)\"")
            return ConfigDefaults.logLevel
        }
        return level
    }

    func readHTTP(_ obj: YAMLObject?) -> HTTPConfig? {
        var config = HTTPConfig(listenHost: ConfigDefaults.listenHost, listenPort: ConfigDefaults.listenPort, apiTokenFile: nil,
                                authReads: false)
        guard let obj else { return config }
        defer { obj.finish() }
        if let listen = obj.string("listen") {
            if let parsed = Validators.listenAddress(listen) {
                config.listenHost = parsed.host
                config.listenPort = parsed.port
            } else {
                problems.error(obj.fieldPath("listen"), "\"\(listen)\" is not a listen address (expected host:port such as 127.0.0.1:9465 or [::1]:9465)")
            }
        }
        if let file = obj.string("api_token_file") {
            let path = absolute(file)
            config.apiTokenFile = path
            checkSecretFile(path, field: obj.fieldPath("api_token_file"))
        }
        config.authReads = obj.bool("auth_reads") ?? false
        if config.authReads && config.apiTokenFile == nil {
            problems.error(obj.fieldPath("auth_reads"), "needs http.api_token_file: reads cannot require a token that is not configured")
        }
        config.limits = readHTTPLimits(obj)
        return config
    }

    /// `connection_limit`, `per_ip_connection_limit`, `request_timeout`, `idle_timeout`, each within its bounds
    /// (`ConfigBounds`); the per-address limit no larger than the whole.
    func readHTTPLimits(_ obj: YAMLObject) -> HTTPServerLimits {
        var limits = ConfigDefaults.httpLimits
        if let value = obj.int("connection_limit") { limits.connectionLimit = value }
        if let value = obj.int("per_ip_connection_limit") {
            if value > limits.connectionLimit {
                problems.error(obj.fieldPath("per_ip_connection_limit"), "must not exceed http.connection_limit (\(limits.connectionLimit)), got \(value)")
            } else {
                limits.perIPConnectionLimit = value
            }
        }
        if let value = obj.duration("request_timeout") { limits.requestTimeout = value }
        // libmicrohttpd counts whole seconds.
        if let value = obj.duration("idle_timeout") { limits.connectionTimeout = Int(value.rounded(.up)) }
        return limits
    }

    func readSMTP(_ obj: YAMLObject?) -> SMTPConfig? {
        guard let obj else { return nil }
        defer { obj.finish() }
        let host = obj.string("host") ?? ConfigDefaults.smtpHost
        var tls = ConfigDefaults.smtpTLS
        if let text = obj.string("tls") {
            if let mode = TLSMode(rawValue: text.lowercased()) {
                tls = mode
            } else {
                problems.error(obj.fieldPath("tls"), "must be one of starttls, implicit; got \"\(text)\"")
            }
        }
        let port = obj.int("port") ?? ConfigDefaults.smtpPort(tls)
        let connectTimeout = obj.duration("connect_timeout") ?? ConfigDefaults.smtpConnectTimeout
        let timeout = obj.duration("timeout") ?? ConfigDefaults.smtpTimeout
        let caFile = obj.string("ca_file").map(absolute)
        if let caFile, checkSecrets, let problem = CAFile.problem(caFile) {
            problems.error(obj.fieldPath("ca_file"), problem)
        }
        let proxy = obj.string("proxy")
        if let proxy, !Validators.proxyURL(proxy) {
            problems.error(obj.fieldPath("proxy"), "\"\(Redactor.scrubURLCredentials(proxy))\" is not a proxy URL (expected http://host:port, https://…, or socks5://…)")
        }
        if !Validators.domainName(host) && !host.allSatisfy({ $0.isNumber || $0 == "." }) && host != "localhost" {
            problems.error(obj.fieldPath("host"), "\"\(host)\" is not a host name")
        }
        let auth = readOAuth(obj.object("auth", required: true))
        guard let auth else { return nil }
        return SMTPConfig(host: host, port: port, tls: tls, connectTimeout: connectTimeout, timeout: timeout,
                          caFile: caFile, proxy: proxy, auth: auth)
    }


    func readNotifications(_ obj: YAMLObject?, smtpMailbox: String?) -> NotificationsConfig? {
        guard let obj else { return nil }
        defer { obj.finish() }
        let from = readEmail(obj, "from", required: false) ?? smtpMailbox
        var to: [String] = []
        if let list = obj.list("to") {
            to = readRecipients(list, field: obj.fieldPath("to"))
        } else if obj.node("to") == nil {
            obj.missing("to")
        }
        let include = obj.bool("include_system_alarms") ?? ConfigDefaults.includeSystemAlarms
        guard let from else { return nil }
        return NotificationsConfig(from: from, to: to, includeSystemAlarms: include)
    }

    /// `notifications.to`: at most `ConfigBounds.maxRecipients` addresses; an address listed again (compared
    /// without regard to case) is dropped with a warning, so every administrator gets one copy.
    func readRecipients(_ list: [Node], field: String) -> [String] {
        guard !list.isEmpty else {
            problems.error(field, "needs at least one administrator address")
            return []
        }
        guard list.count <= ConfigBounds.maxRecipients else {
            problems.error(field, "lists \(list.count) addresses; at most \(ConfigBounds.maxRecipients) are allowed (use a distribution list for more)")
            return []
        }
        var to: [String] = []
        var seen: [String: Int] = [:]
        for (index, node) in list.enumerated() {
            let path = "\(field)[\(index)]"
            guard let text = node.string, !YAMLObject.isNull(node) else {
                problems.error(path, "must be an e-mail address, got \(YAMLObject.describe(node))")
                continue
            }
            guard Validators.emailAddress(text) else {
                problems.error(path, "\"\(text)\" is not an e-mail address (expected name@domain)")
                continue
            }
            if let first = seen[text.lowercased()] {
                problems.warning(path, "\"\(text)\" repeats \(field)[\(first)]; it gets one copy")
                continue
            }
            seen[text.lowercased()] = index
            to.append(text)
        }
        return to
    }

    func readAlarms(_ obj: YAMLObject?) -> AlarmPolicy? {
        guard let obj else { return AlarmPolicy() }
        defer { obj.finish() }
        var thresholds = ConfigDefaults.thresholdsDays
        if let list = obj.list("thresholds_days") {
            let field = obj.fieldPath("thresholds_days")
            if list.count > ConfigBounds.maxThresholds {
                problems.error(field, "must list at most \(ConfigBounds.maxThresholds) thresholds, got \(list.count)")
            } else {
                let bounds = ConfigBounds.integer(field + "[]")
                thresholds = list.enumerated().compactMap { index, node in
                    YAMLObject.integer(node, path: "\(field)[\(index)]", bounds: bounds, problems: problems)
                }
            }
            if list.isEmpty { problems.error(field, "needs at least one threshold") }
        }
        let critical = obj.int("critical_days")
        let renotify = obj.duration("renotify_interval") ?? ConfigDefaults.renotifyInterval
        let failures = obj.int("token_failures_before_alarm") ?? ConfigDefaults.tokenFailuresBeforeAlarm
        return AlarmPolicy(thresholdsDays: thresholds, criticalDays: critical, renotifyInterval: renotify,
                           tokenFailuresBeforeAlarm: failures)
    }


    /// The optional `token:` section: how token requests are made.
    func readToken(_ obj: YAMLObject?) -> TokenConfig {
        var config = TokenConfig()
        guard let obj else { return config }
        defer { obj.finish() }
        config.connectTimeout = obj.duration("connect_timeout") ?? ConfigDefaults.tokenConnectTimeout
        config.timeout = obj.duration("timeout") ?? ConfigDefaults.tokenTimeout
        if config.timeout < config.connectTimeout {
            problems.error(obj.fieldPath("timeout"), "must be at least token.connect_timeout (\(DurationText.format(config.connectTimeout))), got \(DurationText.format(config.timeout))")
        }
        if let file = obj.string("ca_file") {
            let path = absolute(file)
            config.caFile = path
            if checkSecrets, let problem = CAFile.problem(path) {
                problems.error(obj.fieldPath("ca_file"), problem)
            }
        }
        if let proxy = obj.string("proxy") {
            if proxy == "direct" || Validators.proxyURL(proxy) {
                config.proxy = proxy
            } else {
                problems.error(obj.fieldPath("proxy"), "\"\(Redactor.scrubURLCredentials(proxy))\" is not a proxy URL (expected http://host:port, https://…, socks5://…, or direct)")
            }
        }
        config.noProxy = obj.string("no_proxy")
        return config
    }
}
