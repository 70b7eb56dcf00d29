import Foundation

/// An alarm as shown to people and programs (CLI `--json`, `/api/v1/alarms`): stable snake_case fields.
public struct AlarmView: Encodable, Sendable, Equatable {
    public struct Acknowledgement: Encodable, Sendable, Equatable {
        public var at: Date
        public var by: String
        public var comment: String?
    }

    public struct Event: Encodable, Sendable, Equatable {
        public var id: Int64
        public var at: Date
        public var type: String
        public var severity: String?
        public var detail: String
    }

    public var id: Int64
    public var kind: String
    public var title: String
    public var credential: String
    public var state: String
    public var severity: String
    public var thresholdDays: Int?
    public var expiresAt: Date?
    public var reason: String?
    public var summary: String
    public var raisedAt: Date
    public var updatedAt: Date
    public var clearedAt: Date?
    public var acknowledged: Acknowledgement?
    public var notifiedAt: Date?
    public var notifyCount: Int
    public var events: [Event]?

    enum CodingKeys: String, CodingKey {
        case id, kind, title, credential, state, severity, reason, summary, acknowledged, events
        case thresholdDays = "threshold_days"
        case expiresAt = "expires_at"
        case raisedAt = "raised_at"
        case updatedAt = "updated_at"
        case clearedAt = "cleared_at"
        case notifiedAt = "notified_at"
        case notifyCount = "notify_count"
    }

    public init(_ alarm: Alarm, events: [AlarmEvent]? = nil) {
        id = alarm.id
        kind = alarm.kind.rawValue
        title = alarm.kind.title
        credential = alarm.credentialName
        state = alarm.state.rawValue
        severity = alarm.severity.rawValue
        thresholdDays = alarm.thresholdDays
        expiresAt = alarm.expiresAt
        reason = alarm.reason
        summary = alarm.summary
        raisedAt = alarm.raisedAt
        updatedAt = alarm.updatedAt
        clearedAt = alarm.clearedAt
        acknowledged = alarm.acknowledgedAt.map {
            Acknowledgement(at: $0, by: alarm.acknowledgedBy ?? "", comment: alarm.acknowledgeComment)
        }
        notifiedAt = alarm.notifiedAt
        notifyCount = alarm.notifyCount
        self.events = events?.map { Event(id: $0.id, at: $0.at, type: $0.type.rawValue, severity: $0.severity?.rawValue, detail: $0.detail) }
    }
}

/// A send attempt as `/api/v1/deliveries` and `/api/v1/credentials` show it. The server reply is scrubbed.
struct DeliveryView: Encodable, Sendable {
    var id: Int64
    var messageId: String
    var attemptedAt: Date
    var durationSeconds: Double
    var recipients: [String]
    var outcome: String
    var reason: String?
    var smtpCode: Int?
    var enhancedCode: String?
    var reply: String?
    /// The relay receiver of a relayed notification's mail; null (always present) for other mail.
    var receiver: String?

    enum CodingKeys: String, CodingKey {
        case id, recipients, outcome, reason, reply, receiver
        case messageId = "message_id"
        case attemptedAt = "attempted_at"
        case durationSeconds = "duration_seconds"
        case smtpCode = "smtp_code"
        case enhancedCode = "enhanced_code"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(messageId, forKey: .messageId)
        try c.encode(attemptedAt, forKey: .attemptedAt)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(recipients, forKey: .recipients)
        try c.encode(outcome, forKey: .outcome)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(smtpCode, forKey: .smtpCode)
        try c.encodeIfPresent(enhancedCode, forKey: .enhancedCode)
        try c.encodeIfPresent(reply, forKey: .reply)
        try c.encode(receiver, forKey: .receiver)
    }

    init(_ d: Delivery) {
        id = d.id ?? 0
        messageId = d.messageId
        attemptedAt = d.attemptedAt
        durationSeconds = d.duration
        recipients = d.recipients
        outcome = d.outcome.rawValue
        reason = d.reason
        smtpCode = d.smtpCode
        enhancedCode = d.enhancedCode
        reply = d.reply.map(Redactor.scrub)
        receiver = d.receiver
    }
}

/// A token attempt as `status` and `/api/v1/credentials` show it (never a secret or a token: the attempt has neither).
public struct TokenAttemptView: Encodable, Sendable, Equatable {
    public var at: Date
    public var outcome: String
    public var reason: String?
    public var message: String?
    public var httpStatus: Int?
    public var aadstsCode: Int?
    public var traceId: String?
    public var correlationId: String?
    public var durationSeconds: Double
    public var expiresIn: Int?

    enum CodingKeys: String, CodingKey {
        case outcome, reason, message
        case at = "started_at"
        case httpStatus = "http_status"
        case aadstsCode = "aadsts_code"
        case traceId = "trace_id"
        case correlationId = "correlation_id"
        case durationSeconds = "duration_seconds"
        case expiresIn = "expires_in"
    }

    public init(_ a: TokenAttempt) {
        at = a.startedAt
        outcome = a.outcome.rawValue
        reason = a.reason
        message = a.message.map(Redactor.scrub)
        httpStatus = a.httpStatus
        aadstsCode = a.aadstsCode
        traceId = a.traceId
        correlationId = a.correlationId
        durationSeconds = a.duration
        expiresIn = a.expiresIn
    }

    /// `2026-11-29T06:40:00Z ok (lifetime 3599 s)` / `2026-11-29T06:40:00Z failed: invalid_client_secret — …`
    public var line: String {
        let when = Timestamps.rfc3339(at)
        if outcome == TokenAttempt.Outcome.success.rawValue {
            return "\(when) ok" + (expiresIn.map { " (lifetime \($0) s)" } ?? "")
        }
        var text = "\(when) failed: \(reason ?? "unknown")"
        if let message { text += " — \(message)" }
        if let traceId { text += " [trace id \(traceId)]" }
        return text
    }
}

/// One page of a paged listing: `{"<items key>": [...], "next_cursor": "41" | null}`. Pass `next_cursor`
/// back as `cursor` to get the next (older) page; null means this was the last one.
struct PageView<Item: Encodable & Sendable>: Encodable, Sendable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let itemsKey: String
    let items: [Item]
    let nextCursor: Int64?

    /// `fetched` holds up to `limit + 1` items, newest first: the extra one only tells that more exist.
    init(itemsKey: String, fetched: [Item], limit: Int, id: (Item) -> Int64) {
        self.itemsKey = itemsKey
        items = Array(fetched.prefix(limit))
        nextCursor = fetched.count > limit ? items.last.map(id) : nil
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(itemsKey))
        try container.encode(items.count, forKey: Key("count"))
        if let nextCursor {
            try container.encode(String(nextCursor), forKey: Key("next_cursor"))
        } else {
            try container.encodeNil(forKey: Key("next_cursor"))
        }
    }
}

/// The JSON encoder every answer shares (CLI `--json`, HTTP API): sorted keys, RFC 3339 UTC times.
public enum JSONOutput {
    public static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamps.rfc3339(date))
        }
        return encoder
    }

    public static func string<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        String(decoding: try encoder(pretty: pretty).encode(value), as: UTF8.self)
    }
}
