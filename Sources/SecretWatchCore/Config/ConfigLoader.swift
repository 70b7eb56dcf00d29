import Foundation
import Logging
import Yams
internal import SecretWatchHTTPServer

/// Reads and validates the YAML configuration, reporting every problem at once.
public struct ConfigLoader: Sendable {
    public static let defaultPath = "/etc/secretwatch/secretwatch.yml"
    public static let defaultDatabase = "/var/lib/secretwatch/secretwatch.db"

    public var environment: [String: String]
    /// Whether secret files and variables are opened to check that they can be read (off only in tests of
    /// other fields).
    public var checkSecrets: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, checkSecrets: Bool = true) {
        self.environment = environment
        self.checkSecrets = checkSecrets
    }

    /// A loaded configuration and the warnings that did not stop it.
    public struct Loaded: Sendable {
        public var config: Config
        public var warnings: [ConfigProblem]
    }

    public func load(path: String) throws(ConfigError) -> Loaded {
        let text: String
        do {
            text = try SecretReader.readWhole(path)
        } catch {
            throw ConfigError(file: path, problems: [ConfigProblem(path: "", message: "\(error)")])
        }
        return try parse(text, path: path)
    }

    public func parse(_ text: String, path: String) throws(ConfigError) -> Loaded {
        let problems = ProblemList()
        let node: Node?
        do {
            // `.basic`: no implicit tag resolution. YAMLObject reads every scalar as text and checks it itself, and
            // the default resolver runs several regular expressions (ICU) on every scalar: seconds for 100,000
            // credentials, and ICU code resident for the life of the daemon.
            node = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw ConfigError(file: path, problems: [ConfigProblem(path: "", message: "not valid YAML: \(Self.describe(error))")])
        } catch {
            throw ConfigError(file: path, problems: [ConfigProblem(path: "", message: "not valid YAML: \(error)")])
        }
        guard let node, let root = YAMLObject(node, path: "", problems: problems) else {
            if problems.errors.isEmpty {
                problems.error("", "the file is empty; see examples/secretwatch.yml")
            }
            throw ConfigError(file: path, problems: problems.errors)
        }
        let baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let reader = Reader(problems: problems, environment: environment, checkSecrets: checkSecrets, baseDirectory: baseDirectory)
        let config = reader.read(root, sourcePath: path)
        guard problems.errors.isEmpty, let config else {
            throw ConfigError(file: path, problems: problems.errors)
        }
        return Loaded(config: config, warnings: problems.warnings)
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let where_ = "line \(mark.line), column \(mark.column)"
            if let context { return "\(problem) \(context.text) at \(where_)" }
            return "\(problem) at \(where_)"
        default:
            return "\(error)"
        }
    }
}

extension SecretReader {
    /// The largest configuration file read (100,000 watched credentials take about 30 MiB).
    static let configLimit = 256 << 20

    /// Reads a whole (non-secret) text file such as the configuration; a FIFO or a device is refused.
    static func readWhole(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "cannot read \"\(path)\": No such file or directory")
        }
        let data = try RegularFile.read(path, limit: configLimit)
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(description: "cannot read \"\(path)\": it is not UTF-8 text")
        }
        return text
    }
}

/// The field-by-field reading of the document; one method per section.
private struct Reader {
    let problems: ProblemList
    let environment: [String: String]
    let checkSecrets: Bool
    let baseDirectory: String

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
    }

    func read(_ root: YAMLObject, sourcePath: String) -> Config? {
        let database = root.string("database").map(absolute) ?? ConfigLoader.defaultDatabase
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
        let token = TokenConfigReader(problems: problems, absolute: absolute, checkFiles: checkSecrets).read(root.object("token"))
        let mailer = MailerConfig.read(root.object("mailer"), problems: problems)
        root.finish()
        guard let smtp, let notifications, let http, let alarms else { return nil }
        return Config(database: database, logLevel: logLevel, http: http,
                      scheduler: SchedulerConfig(interval: interval ?? 60), smtp: smtp,
                      notifications: notifications, alarms: alarms, mailer: mailer, credentials: credentials,
                      sourcePath: sourcePath, token: token)
    }

    func readLogLevel(_ root: YAMLObject) -> Logger.Level {
        guard let text = root.string("log_level") else { return .info }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            problems.error(root.fieldPath("log_level"), "must be one of \(names); got \"\(text)\"")
            return .info
        }
        return level
    }

    func readHTTP(_ obj: YAMLObject?) -> HTTPConfig? {
        var config = HTTPConfig(listenHost: "127.0.0.1", listenPort: 9465, apiTokenFile: nil, authReads: false)
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
        var limits = HTTPServerLimits()
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
        let host = obj.string("host") ?? "smtp.office365.com"
        var tls = TLSMode.starttls
        if let text = obj.string("tls") {
            if let mode = TLSMode(rawValue: text.lowercased()) {
                tls = mode
            } else {
                problems.error(obj.fieldPath("tls"), "must be one of starttls, implicit; got \"\(text)\"")
            }
        }
        let port = obj.int("port") ?? (tls == .implicit ? 465 : 587)
        let connectTimeout = obj.duration("connect_timeout") ?? 60
        let timeout = obj.duration("timeout") ?? 300
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

    func readOAuth(_ obj: YAMLObject?) -> OAuthCredentialConfig? {
        guard let obj else { return nil }
        defer { obj.finish() }
        let name = readName(obj, default: OAuthCredentialConfig.defaultName)
        let displayName = obj.string("display_name")
        let mailbox = readEmail(obj, "mailbox", required: true)
        let tenant = readTenant(obj)
        let client = readClientId(obj)
        let secret = readSecretSource(obj)
        let expires = readDate(obj, "secret_expires")
        let (endpoint, scope) = readEndpointAndScope(obj)
        guard let mailbox, let tenant, let client, let secret, let expires else { return nil }
        return OAuthCredentialConfig(name: name ?? OAuthCredentialConfig.defaultName, displayName: displayName,
                                     mailbox: mailbox, tenantId: tenant, clientId: client, secret: secret,
                                     secretExpires: expires, tokenEndpoint: endpoint, scope: scope)
    }

    /// `token_endpoint` (https only) and `scope` (ending in `/.default`), with their defaults.
    func readEndpointAndScope(_ obj: YAMLObject) -> (endpoint: String, scope: String) {
        let configured = obj.string("token_endpoint")
        if let configured, !Validators.httpsURL(configured) {
            problems.error(obj.fieldPath("token_endpoint"), "\"\(configured)\" is not an https:// URL (the token endpoint must use TLS)")
        }
        let endpoint = configured ?? OAuthCredentialConfig.defaultTokenEndpoint
        let scope = obj.string("scope") ?? OAuthCredentialConfig.defaultScope
        if !scope.hasSuffix("/.default") {
            problems.error(obj.fieldPath("scope"), "\"\(scope)\" must end in /.default for the client-credentials grant (e.g. \(OAuthCredentialConfig.defaultScope))")
        }
        return (endpoint, scope)
    }

    func readName(_ obj: YAMLObject, default: String?) -> String? {
        guard let name = obj.string("name", required: `default` == nil) else { return `default` }
        guard Validators.credentialName(name) else {
            problems.error(obj.fieldPath("name"), "\"\(name)\" is not a valid name (letters, digits, '-', '_' and '.', starting with a letter or digit, at most 64 characters)")
            return nil
        }
        return name
    }

    func readTenant(_ obj: YAMLObject) -> String? {
        guard let tenant = obj.string("tenant_id", required: true) else { return nil }
        guard Validators.guid(tenant) || Validators.domainName(tenant) else {
            problems.error(obj.fieldPath("tenant_id"), "\"\(tenant)\" is neither a GUID nor a domain name (use the Directory (tenant) ID from the Entra app's Overview page)")
            return nil
        }
        return tenant.lowercased()
    }

    func readClientId(_ obj: YAMLObject) -> String? {
        guard let client = obj.string("client_id", required: true) else { return nil }
        guard Validators.guid(client) else {
            problems.error(obj.fieldPath("client_id"), "\"\(client)\" is not a GUID (use the Application (client) ID from the Entra app's Overview page, not the secret ID or object ID)")
            return nil
        }
        return client.lowercased()
    }

    func readEmail(_ obj: YAMLObject, _ key: String, required: Bool) -> String? {
        guard let text = obj.string(key, required: required) else { return nil }
        guard Validators.emailAddress(text) else {
            problems.error(obj.fieldPath(key), "\"\(text)\" is not an e-mail address (expected name@domain)")
            return nil
        }
        return text
    }

    func readDate(_ obj: YAMLObject, _ key: String) -> Date? {
        guard let text = obj.string(key, required: true) else { return nil }
        guard let date = Timestamps.parse(text) else {
            if Timestamps.isOutOfRange(text) {
                let range = "\(Timestamps.years.lowerBound)-01-01 to \(Timestamps.years.upperBound)-12-31"
                problems.error(obj.fieldPath(key), "\"\(text)\" is out of range (accepted: \(range))")
                return nil
            }
            problems.error(obj.fieldPath(key), "\"\(text)\" is not a date (expected YYYY-MM-DD or an RFC 3339 time such as 2027-03-01T12:00:00Z)")
            return nil
        }
        return date
    }

    func readSecretSource(_ obj: YAMLObject, required: Bool = true) -> SecretSource? {
        if obj.node("client_secret") != nil {
            problems.error(obj.fieldPath("client_secret"), "inline secrets are not allowed; put the secret in a file readable only by secretwatch (client_secret_file, mode 0600) or in an environment variable (client_secret_env)")
        }
        let file = obj.string("client_secret_file")
        let env = obj.string("client_secret_env")
        switch (file, env) {
        case (nil, nil):
            if required && obj.node("client_secret") == nil {
                problems.error(obj.path, "a client secret is required: set client_secret_file (a file with mode 0600) or client_secret_env")
            }
            return nil
        case (.some, .some):
            problems.error(obj.path, "set only one of client_secret_file and client_secret_env")
            return nil
        case (.some(let file), nil):
            let path = absolute(file)
            return checkSecretFile(path, field: obj.fieldPath("client_secret_file")) ? .file(path) : nil
        case (nil, .some(let name)):
            if checkSecrets {
                guard let value = environment[name], !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    problems.error(obj.fieldPath("client_secret_env"), "environment variable \"\(name)\" is not set or empty")
                    return nil
                }
                Redactor.shared.register(value)
            }
            return .environment(name)
        }
    }

    /// Checks that a secret file can be read and warns when others can read it too.
    @discardableResult
    func checkSecretFile(_ path: String, field: String) -> Bool {
        guard checkSecrets else { return true }
        do {
            _ = try SecretReader.read(.file(path), environment: environment)
        } catch {
            problems.error(field, "\(error)")
            return false
        }
        if let mode = SecretReader.mode(ofFile: path), mode & 0o077 != 0 {
            problems.warning(field, "\"\(path)\" is readable by group or others (mode \(String(mode, radix: 8).leftPadded(to: 4))); run chmod 600 on it")
        }
        return true
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
        let include = obj.bool("include_system_alarms") ?? true
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
        var thresholds = AlarmPolicy.defaultThresholds
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
        let renotify = obj.duration("renotify_interval") ?? 86400
        let failures = obj.int("token_failures_before_alarm") ?? 3
        return AlarmPolicy(thresholdsDays: thresholds, criticalDays: critical, renotifyInterval: renotify,
                           tokenFailuresBeforeAlarm: failures)
    }

    func readCredentials(_ list: [Node]?, smtpName: String?) -> [WatchedCredentialConfig] {
        guard let list else { return [] }
        var names: [String: String] = [:]
        if let smtpName { names[smtpName] = "smtp.auth" }
        var result: [WatchedCredentialConfig] = []
        for (index, node) in list.enumerated() {
            guard let obj = YAMLObject(node, path: "credentials[\(index)]", problems: problems) else { continue }
            defer { obj.finish() }
            let name = readName(obj, default: nil)
            let displayName = obj.string("display_name")
            let tenant = readTenant(obj)
            let client = readClientId(obj)
            let expires = readDate(obj, "secret_expires")
            // Optional: with a secret, the credential's token endpoint is probed too.
            let secret = readSecretSource(obj, required: false)
            let (endpoint, scope) = readEndpointAndScope(obj)
            if let name {
                if let other = names[name] {
                    problems.error(obj.fieldPath("name"), "\"\(name)\" is already used by \(other)")
                } else {
                    names[name] = obj.path
                }
            }
            guard let name, let tenant, let client, let expires else { continue }
            result.append(WatchedCredentialConfig(name: name, displayName: displayName, tenantId: tenant,
                                                  clientId: client, secretExpires: expires, secret: secret,
                                                  tokenEndpoint: endpoint, scope: scope))
        }
        return result
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

extension Redactor {
    /// `http://user:pass@proxy:3128` → `http://user:[REDACTED]@proxy:3128`.
    public static func scrubURLCredentials(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at else { return url }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<userinfo.index(after: colon)]) + mask + String(url[at...])
    }
}
