import FoundationEssentials
internal import SecretWatchHTTPServer

/// `/api/v1/alarms`, `/api/v1/alarms/{id}` and `POST /api/v1/alarms/{id}/ack`.
extension APIRouter {
    func alarmFilter(_ request: HTTPRequest) throws(APIError) -> AlarmFilter {
        let query = try QueryParameters(request.query, allowed: ["state", "kind", "credential", "since", "until", "limit", "cursor"])
        let since = try query.date("since")
        let until = try query.date("until")
        if let since, let until, until <= since {
            throw .badRequest("query parameter \"until\" (\(Timestamps.rfc3339(until))) must be later than \"since\" (\(Timestamps.rfc3339(since)))")
        }
        let limit = try query.int("limit", in: 1...Self.maxPageSize) ?? Self.defaultPageSize
        return AlarmFilter(state: try query.choice("state", AlarmFilter.StateFilter.self) ?? .all,
                           kind: try query.choice("kind", AlarmKind.self),
                           credential: try query.string("credential"),
                           since: since, until: until, limit: limit, beforeId: try query.cursor())
    }

    func listAlarms(_ filter: AlarmFilter) throws -> HTTPResponse {
        var probe = filter
        probe.limit = filter.limit + 1
        let fetched = try store.alarms(probe).map { AlarmView($0) }
        return .json(PageView(itemsKey: "alarms", fetched: fetched, limit: filter.limit, id: \.id))
    }

    func showAlarm(_ id: Int64) throws -> HTTPResponse {
        guard let alarm = try store.alarm(id: id) else { throw APIError.notFound("no alarm with id \(id)") }
        return .json(AlarmView(alarm, events: try store.events(alarmId: id)))
    }

    private struct AckAnswer: Encodable {
        var result: String
        var alarm: AlarmView
    }

    /// Acknowledging twice is harmless: the first acknowledgement stands and the answer says so.
    func acknowledge(_ id: Int64, _ body: AckRequest) throws -> HTTPResponse {
        let result = try engine.acknowledge(alarmId: id, by: Redactor.scrub(body.by), comment: body.comment.map(Redactor.scrub),
                                            at: clock.now())
        switch result {
        case .acknowledged(let alarm):
            return .json(AckAnswer(result: "acknowledged", alarm: AlarmView(alarm, events: try store.events(alarmId: id))))
        case .alreadyAcknowledged(let alarm):
            return .json(AckAnswer(result: "already_acknowledged", alarm: AlarmView(alarm, events: try store.events(alarmId: id))))
        case .notActive(let alarm):
            throw APIError(status: 409, message: "alarm \(id) is \(alarm.state.rawValue); only active alarms can be acknowledged")
        case .notFound:
            throw APIError.notFound("no alarm with id \(id)")
        }
    }
}

/// The body of `POST /api/v1/alarms/{id}/ack`: `{"by": "alice", "comment": "rotating today"}`.
struct AckRequest: Sendable, Equatable {
    var by: String
    var comment: String?

    static let maxByLength = 100
    static let maxCommentLength = 1000

    init(by: String, comment: String?) {
        self.by = by
        self.comment = comment
    }

    /// Parses and checks the body; every problem is a 400 saying what is wrong.
    init(body: [UInt8]) throws(APIError) {
        guard !body.isEmpty else {
            throw .badRequest(#"missing JSON body: expected {"by": "<who>", "comment": "<why>"}"#)
        }
        guard let object = JSONValue.parse(body) else {
            throw .badRequest(#"body is not valid JSON: expected {"by": "<who>", "comment": "<why>"}"#)
        }
        guard let fields = object.object else {
            throw .badRequest(#"body must be a JSON object such as {"by": "<who>", "comment": "<why>"}"#)
        }
        for key in fields.keys.sorted() where key != "by" && key != "comment" {
            throw .badRequest("unknown field \"\(key.prefix(40))\" in body (accepted: by, comment)")
        }
        guard let byValue = fields["by"] else { throw .badRequest(#"field "by" is required: who acknowledges"#) }
        guard let by = byValue.string else { throw .badRequest(#"field "by" must be a string"#) }
        try Self.refuseControlCharacters(by, field: "by")
        let trimmed = by.trimmingSpacesAndNewlines
        guard !trimmed.isEmpty else { throw .badRequest(#"field "by" is empty: say who acknowledges"#) }
        guard trimmed.count <= Self.maxByLength else { throw .badRequest("field \"by\" is longer than \(Self.maxByLength) characters") }
        var comment: String?
        switch fields["comment"] {
        case nil, .null?: comment = nil
        case .string(let text)?:
            guard text.count <= Self.maxCommentLength else {
                throw .badRequest("field \"comment\" is longer than \(Self.maxCommentLength) characters")
            }
            try Self.refuseControlCharacters(text, field: "comment")
            let t = text.trimmingSpacesAndNewlines
            comment = t.isEmpty ? nil : t
        default:
            throw .badRequest(#"field "comment" must be a string"#)
        }
        self.init(by: trimmed, comment: comment)
    }

    /// Escape sequences, line breaks and NUL would reach terminals and logs (or cut the text short in SQLite).
    private static func refuseControlCharacters(_ text: String, field: String) throws(APIError) {
        if let scalar = VisibleText.firstRefused(in: text) {
            throw .badRequest("field \"\(field)\" contains a control character or line break (\(VisibleText.escaped(String(scalar)))); only tab is allowed")
        }
    }
}

/// Which credentials `/api/v1/credentials` lists: `?source=config|graph`, `?include_removed=true`.
struct CredentialFilter: Sendable, Equatable {
    var source: CredentialSource?
    var includeRemoved = false

    init(source: CredentialSource? = nil, includeRemoved: Bool = false) {
        self.source = source
        self.includeRemoved = includeRemoved
    }

    init(_ request: HTTPRequest) throws(APIError) {
        let query = try QueryParameters(request.query, allowed: ["source", "include_removed"])
        source = try query.choice("source", CredentialSource.self)
        switch try query.string("include_removed") {
        case nil, "false": includeRemoved = false
        case "true": includeRemoved = true
        case let other?:
            throw .badRequest("query parameter \"include_removed\" must be true or false; got \"\(other.prefix(40))\"")
        }
    }
}

/// `/api/v1/credentials` and `/api/v1/deliveries`.
extension APIRouter {
    func credentials(_ filter: CredentialFilter = CredentialFilter()) throws -> HTTPResponse {
        let now = clock.now()
        let records = try store.credentials(includeUnwatched: filter.includeRemoved).filter {
            filter.source == nil || $0.credential.source == filter.source
        }
        let lastAttempts = try store.lastTokenAttempts()
        let lastDelivery = try store.deliveries(limit: 1).first
        let active = Dictionary(grouping: try store.activeAlarms(), by: \.credentialId)
        let views = records.map { record -> CredentialStatusView in
            let c = record.credential
            let alarms = active[record.id] ?? []
            let expiry = CredentialExpiry(c, activeAlarms: alarms, policy: policy, now: now)
            return CredentialStatusView(
                name: c.name, displayName: c.displayName, tenantId: c.tenantId, clientId: c.clientId,
                mailbox: c.mailbox, hasSecret: c.hasSecret, source: c.source.rawValue, type: c.type.rawValue, keyId: c.keyId,
                thumbprint: c.thumbprint, appName: c.appName, discoveryTenant: c.discoveryTenant, expiresAt: c.expiresAt,
                configuredExpiresAt: record.configuredExpiresAt, daysLeft: expiry.daysLeft,
                expired: expiry.expired, expiredPerIdentityProvider: expiry.expiredPerIdentityProvider,
                lastTokenAttempt: lastAttempts[c.name].map(TokenAttemptView.init),
                // Mail goes out with the credential that has a mailbox (the SMTP one).
                lastDelivery: c.mailbox == nil ? nil : lastDelivery.map(DeliveryView.init),
                activeAlarms: alarms.map { AlarmView($0) }, secretInUse: record.secretInUse.map(SecretInUseView.init),
                inUseBy: record.inUseBy, watched: record.watched, removedReason: record.removedReason)
        }
        struct Answer: Encodable {
            var generatedAt: Date
            var credentials: [CredentialStatusView]
            enum CodingKeys: String, CodingKey {
                case credentials
                case generatedAt = "generated_at"
            }
        }
        return .json(Answer(generatedAt: now, credentials: views))
    }

    func deliveries(limit: Int, before: Int64?) throws -> HTTPResponse {
        let fetched = try store.deliveries(limit: limit + 1, beforeId: before).map(DeliveryView.init)
        return .json(PageView(itemsKey: "deliveries", fetched: fetched, limit: limit, id: \.id))
    }
}
