import FoundationEssentials

/// The `relay:` section: the Alertmanager/Grafana webhook receivers (`POST /api/v1/relay/{receiver}`), each with
/// its recipients and its bearer token, and the limits of the route. Absent: nothing is relayed and the route
/// answers 404. Tokens stay in their files (or systemd credentials); `RelayTokens` reads them at start and at every
/// reload.
public struct RelayConfig: Sendable, Equatable {
    /// The shared token (`token_file` or `token_credential`); receivers with a token of their own ignore it.
    public var token: SecretSource?
    /// Largest request body the route reads; a larger one is answered 413 before it is read in full.
    public var maxBodyBytes: Int
    /// The same notification again within this window is answered 200 "duplicate" and sends no mail; 0: off.
    public var dedupWindow: TimeInterval
    /// Recipients of relayed mail queued in any 24 hours, all receivers together; a notification beyond it is
    /// answered 429 and mails nothing, so that relayed mail cannot use up the mailbox's daily quota (Exchange
    /// Online: 10,000 recipients) that alarm mail needs. 0: no cap.
    public var maxRecipientsPerDay: Int
    public var receivers: [RelayReceiverConfig]

    public init(token: SecretSource? = nil, maxBodyBytes: Int = ConfigDefaults.relayMaxBodyBytes,
                dedupWindow: TimeInterval = ConfigDefaults.relayDedupWindow,
                maxRecipientsPerDay: Int = ConfigDefaults.relayMaxRecipientsPerDay, receivers: [RelayReceiverConfig]) {
        self.token = token
        self.maxBodyBytes = maxBodyBytes
        self.dedupWindow = dedupWindow
        self.maxRecipientsPerDay = maxRecipientsPerDay
        self.receivers = receivers
    }

    public func receiver(named name: String) -> RelayReceiverConfig? {
        receivers.first { $0.name == name }
    }

    /// Where a receiver's token lives: its own, else the shared one.
    public func tokenSource(of receiver: RelayReceiverConfig) -> SecretSource? {
        receiver.token ?? token
    }
}

/// One `relay.receivers[]` entry: the `{receiver}` of the URL and where its notifications are mailed.
public struct RelayReceiverConfig: Sendable, Equatable {
    /// `[A-Za-z0-9_.-]{1,64}`, unique; also the `receiver` label of the relay metrics.
    public var name: String
    public var to: [String]
    public var cc: [String]
    /// Prepended to the subject with a space.
    public var subjectPrefix: String?
    /// The receiver's own token (`token_file` / `token_credential`), overriding the shared one.
    public var token: SecretSource?

    public init(name: String, to: [String], cc: [String] = [], subjectPrefix: String? = nil, token: SecretSource? = nil) {
        self.name = name
        self.to = to
        self.cc = cc
        self.subjectPrefix = subjectPrefix
        self.token = token
    }

    /// A receiver name as the URL carries it.
    static func validName(_ value: String) -> Bool {
        (1...64).contains(value.utf8.count)
            && value.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
            }
    }
}

/// The relay tokens as read from their files: receiver name → token bytes. Read when the configuration is loaded
/// and again at every reload (a token file replaced in place takes effect on SIGHUP). Each value is registered with
/// the `Redactor`, so it never reaches a log, an answer or a row.
public struct RelayTokens: Sendable {
    let byReceiver: [String: [UInt8]]

    /// Shortest accepted token: a guessable token would open the relay to anyone who can reach the port.
    public static let minimumLength = 16

    public static let none = RelayTokens(byReceiver: [:])

    /// Reads every receiver's token; throws naming the first one that cannot be used.
    public static func read(_ config: RelayConfig?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RelayTokens {
        guard let config else { return .none }
        var cache: [String: [UInt8]] = [:]
        var tokens: [String: [UInt8]] = [:]
        for receiver in config.receivers {
            guard let source = config.tokenSource(of: receiver) else {
                throw SecretReader.Failure(description: "relay receiver \(receiver.name) has no token")
            }
            if let known = cache[source.description] {
                tokens[receiver.name] = known
                continue
            }
            let value = try token(from: source, environment: environment)
            cache[source.description] = value
            tokens[receiver.name] = value
        }
        return RelayTokens(byReceiver: tokens)
    }

    /// One token: the trimmed content of the file or credential, at least `minimumLength` characters, no white space.
    static func token(from source: SecretSource, environment: [String: String]) throws -> [UInt8] {
        let value = try SecretReader.read(source, environment: environment)
        guard value.count >= minimumLength else {
            throw SecretReader.Failure(description: "the token in \(source.description) has \(value.count) characters; at least \(minimumLength) are required (e.g. openssl rand -hex 32)")
        }
        guard !value.contains(where: \.isWhitespace) else {
            throw SecretReader.Failure(description: "the token in \(source.description) contains white space")
        }
        return Array(value.utf8)
    }

    func token(for receiver: String) -> [UInt8]? {
        byReceiver[receiver]
    }
}
