#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RelayNotification {
    /// Go's zero `time.Time` as Alertmanager marshals it: an alert's `endsAt` while it has not ended.
    static let goZeroTime = "0001-01-01T00:00:00Z"

    /// Reads and validates a webhook body: UTF-8 JSON, every known field of the right type and within
    /// `RelayPayloadLimits`; unknown fields are ignored. The error names the first field that is wrong.
    public static func parse(_ body: [UInt8]) throws(RelayPayloadError) -> RelayNotification {
        guard !body.isEmpty else { throw .body("is empty; expected an Alertmanager or Grafana webhook JSON object") }
        guard String(validating: body, as: UTF8.self) != nil else { throw .body("is not UTF-8 text") }
        let document: RelayJSON
        do {
            document = try JSONDecoder().decode(RelayJSON.self, from: Data(body))
        } catch {
            throw .body("is not valid JSON" + jsonProblem(error))
        }
        let top = try RelayJSONObject(document, path: "")

        let version = try top.string("version", maxBytes: RelayPayloadLimits.shortBytes) ?? "4"
        guard version == "4" || version == "1" else {
            throw RelayPayloadError(path: "version", problem: "\(RelayPayloadError.quoted(version)) is not a supported webhook "
                + "version (\"4\" from Alertmanager, \"1\" from Grafana)")
        }
        let status = try parseStatus(top, "status")
        guard let groupKey = try top.string("groupKey", required: true, maxBytes: RelayPayloadLimits.keyBytes), !groupKey.isEmpty else {
            throw RelayPayloadError(path: "groupKey", problem: "must not be empty")
        }
        let alertValues: [RelayJSON]
        switch top.fields["alerts"] {
        case nil, .null?: throw .missing("alerts")
        case .array(let values)?: alertValues = values
        case let other?: throw .type("alerts", expected: "an array", got: other)
        }
        guard !alertValues.isEmpty else { throw RelayPayloadError(path: "alerts", problem: "must hold at least one alert") }
        guard alertValues.count <= RelayPayloadLimits.alerts else {
            throw RelayPayloadError(path: "alerts", problem: "holds \(alertValues.count) alerts, more than \(RelayPayloadLimits.alerts)")
        }
        var alerts: [RelayAlert] = []
        alerts.reserveCapacity(alertValues.count)
        for (index, value) in alertValues.enumerated() {
            alerts.append(try parseAlert(RelayJSONObject(value, path: "alerts[\(index)]")))
        }
        return RelayNotification(
            version: version, status: status,
            receiver: try top.string("receiver", maxBytes: RelayPayloadLimits.shortBytes) ?? "",
            groupKey: groupKey,
            truncatedAlerts: try top.integer("truncatedAlerts", range: 0...RelayPayloadLimits.truncatedAlerts) ?? 0,
            groupLabels: try top.stringMap("groupLabels", maxValueBytes: RelayPayloadLimits.labelValueBytes),
            commonLabels: try top.stringMap("commonLabels", maxValueBytes: RelayPayloadLimits.labelValueBytes),
            commonAnnotations: try top.stringMap("commonAnnotations", maxValueBytes: RelayPayloadLimits.annotationValueBytes),
            externalURL: try top.string("externalURL", maxBytes: RelayPayloadLimits.keyBytes) ?? "",
            alerts: alerts,
            title: try top.string("title", maxBytes: RelayPayloadLimits.textBytes),
            message: try top.string("message", maxBytes: RelayPayloadLimits.textBytes),
            orgId: try top.integer("orgId", range: -RelayPayloadLimits.exactInteger...RelayPayloadLimits.exactInteger),
            state: try top.string("state", maxBytes: RelayPayloadLimits.shortBytes))
    }

    private static func parseAlert(_ object: RelayJSONObject) throws(RelayPayloadError) -> RelayAlert {
        let labels = try object.stringMap("labels", required: true, maxValueBytes: RelayPayloadLimits.labelValueBytes)
        let status = try parseStatus(object, "status")
        let annotations = try object.stringMap("annotations", maxValueBytes: RelayPayloadLimits.annotationValueBytes)
        guard let startsText = try object.string("startsAt", required: true, maxBytes: 64) else { throw .missing(object.path("startsAt")) }
        guard let startsAt = try time(startsText, path: object.path("startsAt")) else {
            throw RelayPayloadError(path: object.path("startsAt"), problem: "\(goZeroTime) (Go's zero time) is not a start time")
        }
        let endsAt = try object.string("endsAt", maxBytes: 64).flatMap { text throws(RelayPayloadError) in
            try time(text, path: object.path("endsAt"))
        }
        if let endsAt, endsAt < startsAt {
            throw RelayPayloadError(path: object.path("endsAt"), problem: "is before startsAt")
        }
        func optional(_ key: String, _ limit: Int) throws(RelayPayloadError) -> String? {
            try object.string(key, maxBytes: limit).flatMap { $0.isEmpty ? nil : $0 }
        }
        return RelayAlert(
            status: status, labels: labels, annotations: annotations, startsAt: startsAt, endsAt: endsAt,
            generatorURL: try object.string("generatorURL", maxBytes: RelayPayloadLimits.keyBytes) ?? "",
            fingerprint: try object.string("fingerprint", maxBytes: RelayPayloadLimits.shortBytes) ?? "",
            silenceURL: try optional("silenceURL", RelayPayloadLimits.keyBytes),
            dashboardURL: try optional("dashboardURL", RelayPayloadLimits.keyBytes),
            panelURL: try optional("panelURL", RelayPayloadLimits.keyBytes),
            valueString: try optional("valueString", RelayPayloadLimits.keyBytes),
            values: try parseValues(object))
    }

    private static func parseStatus(_ object: RelayJSONObject, _ key: String) throws(RelayPayloadError) -> Status {
        guard let text = try object.string(key, required: true, maxBytes: RelayPayloadLimits.shortBytes) else { throw .missing(object.path(key)) }
        guard let status = Status(rawValue: text) else {
            throw RelayPayloadError(path: object.path(key), problem: "\(RelayPayloadError.quoted(text)) is neither \"firing\" nor \"resolved\"")
        }
        return status
    }

    /// Grafana's `values`: an object of numbers (null or absent: none).
    private static func parseValues(_ object: RelayJSONObject) throws(RelayPayloadError) -> [(String, Double)] {
        let fields: RelayJSONObject
        switch object.fields["values"] {
        case nil, .null?: return []
        case let value?: fields = try RelayJSONObject(value, path: object.path("values"))
        }
        guard fields.fields.count <= RelayPayloadLimits.entries else {
            throw RelayPayloadError(path: fields.path, problem: "has \(fields.fields.count) entries, more than \(RelayPayloadLimits.entries)")
        }
        var values: [(String, Double)] = []
        for name in fields.fields.keys.sorted() {
            guard name.utf8.count <= RelayPayloadLimits.nameBytes else { throw .tooLong(fields.path(name), limit: RelayPayloadLimits.nameBytes) }
            guard case .number(let number) = fields.fields[name]! else {
                throw .type(fields.path(name), expected: "a number", got: fields.fields[name]!)
            }
            values.append((name, number))
        }
        return values
    }

    /// An RFC 3339 date-time (`2026-03-01T12:00:00Z`, `…:00.123456789+02:00`); nil for Go's zero time.
    static func time(_ text: String, path: String) throws(RelayPayloadError) -> Date? {
        if text == goZeroTime { return nil }
        let bytes = Array(text.utf8)
        let isDateTime = bytes.count >= 20 && (bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"))
            && bytes.first != UInt8(ascii: " ") && bytes.last != UInt8(ascii: " ")
        if isDateTime, let date = Timestamps.parse(text) { return date }
        if isDateTime, Timestamps.isOutOfRange(text) {
            throw RelayPayloadError(path: path, problem: "\(RelayPayloadError.quoted(text)) is outside the years \(Timestamps.years.lowerBound)-\(Timestamps.years.upperBound)")
        }
        throw RelayPayloadError(path: path, problem: "\(RelayPayloadError.quoted(text)) is not an RFC 3339 time")
    }

    /// ` (where JSONDecoder stopped)`: its description names the position, never the body's content beyond a character.
    private static func jsonProblem(_ error: any Error) -> String {
        guard case DecodingError.dataCorrupted(let context) = error else { return "" }
        let detail = context.underlyingError.map { "\($0)" } ?? context.debugDescription
        let clean = MIMEEncoding.neutralised(detail)
        return clean.isEmpty ? "" : " (" + (clean.count <= 160 ? clean : String(clean.prefix(157)) + "...") + ")"
    }
}
