import FoundationEssentials

/// A failed listing of applications: the classified reason as an `OperatorError` (message with the fix,
/// scrubbed), plus the evidence Microsoft support asks for (Graph's error code, request-id and
/// client-request-id). Never holds the secret or a token.
public struct GraphFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: GraphFailureReason
    public var operatorError: OperatorError
    public var httpStatus: Int?
    /// Graph's `error.code` (`Authorization_RequestDenied`, …).
    public var graphCode: String?
    public var requestId: String?
    public var clientRequestId: String?
    /// How long Graph asked us to wait (429 or 503 `Retry-After`).
    public var retryAfter: TimeInterval?

    public init(reason: GraphFailureReason, values: [String: String], detail: String?, httpStatus: Int? = nil,
                graphCode: String? = nil, requestId: String? = nil, clientRequestId: String? = nil,
                retryAfter: TimeInterval? = nil) {
        self.reason = reason
        operatorError = reason.failure(values, detail: detail)
        self.httpStatus = httpStatus
        self.graphCode = graphCode
        self.requestId = requestId
        self.clientRequestId = clientRequestId
        self.retryAfter = retryAfter
    }

    public var message: String { operatorError.message }
    public var fix: String { operatorError.fix }
    public var detail: String? { operatorError.detail }
    public var description: String { operatorError.description }
}

extension GraphFailure: OperatorErrorConvertible {}

/// Graph's error JSON: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
struct GraphErrorAnswer: Sendable, Equatable {
    var code: String
    var message: String
    var requestId: String?
    var clientRequestId: String?
    var date: String?

    /// nil when the body is not Graph's error JSON (an HTML page, say).
    static func parse(_ body: Data) -> GraphErrorAnswer? {
        guard let object = JSONValue.parse(body)?.object,
              let error = object["error"]?.object, let code = error["code"]?.string else { return nil }
        let inner = (error["innerError"] ?? error["innererror"])?.object
        return GraphErrorAnswer(code: code, message: error["message"]?.string ?? "", requestId: inner?["request-id"]?.string,
                                clientRequestId: inner?["client-request-id"]?.string, date: inner?["date"]?.string)
    }
}
