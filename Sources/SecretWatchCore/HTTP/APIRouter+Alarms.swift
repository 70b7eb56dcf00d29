import Foundation
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
