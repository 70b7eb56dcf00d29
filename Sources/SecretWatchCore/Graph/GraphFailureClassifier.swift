import FoundationEssentials
internal import SecretWatchCurl

/// Turns what libcurl reported for one Graph page into the page or a classified `GraphFailure`: `NetworkFailure`
/// for what lies below the protocol, then Graph's answers by HTTP status and Graph's error code.
enum GraphFailureClassifier {
    static func classify(_ r: CurlResponse, settings: GraphEndpointSettings, collection: GraphCollection, url: String,
                         now: Date) -> Result<GraphPage, GraphFailure> {
        var values = baseValues(settings, collection: collection, url: url)
        values["curl"] = "\(r.codeText) (curl error \(r.code.rawValue))"
        let detail = evidence(r)
        let status = r.responseCode > 0 ? r.responseCode : nil
        if r.responseTooLarge {
            values["limit"] = String(settings.maxPageBytes)
            return .failure(GraphFailure(reason: .responseTooLarge, values: values, detail: detail, httpStatus: status))
        }
        if r.code != .ok {
            let reason = transportReason(r, settings: settings)
            values["seconds"] = TokenFailureClassifier.seconds(reason == .responseTimeout ? settings.timeout : settings.connectTimeout)
            return .failure(GraphFailure(reason: reason, values: values, detail: detail, httpStatus: status))
        }
        let code = r.responseCode
        values["status"] = String(code)
        values["content_type"] = r.header("Content-Type") ?? "no content type"
        if code == 200 {
            do {
                return .success(try GraphPage.parse(r.body))
            } catch {
                return .failure(GraphFailure(reason: .badResponse, values: values, detail: "\(error); " + detail, httpStatus: code))
            }
        }
        let answer = GraphErrorAnswer.parse(r.body)
        values["code"] = answer?.code ?? "no error code"
        values["description"] = answer?.message ?? "no message"
        func failure(_ reason: GraphFailureReason, retryAfter: TimeInterval? = nil) -> Result<GraphPage, GraphFailure> {
            .failure(GraphFailure(reason: reason, values: values, detail: detail, httpStatus: code, graphCode: answer?.code,
                                  requestId: answer?.requestId ?? r.header("request-id"),
                                  clientRequestId: answer?.clientRequestId ?? r.header("client-request-id"), retryAfter: retryAfter))
        }
        if code == 429 || (500...599).contains(code) {
            let wait = RetryAfter.parse(r.header("Retry-After"), now: now)
            values["retry"] = wait.map { DurationText.format($0) } ?? "an unstated delay"
            return failure(code == 429 ? .throttled : .unavailable, retryAfter: wait)
        }
        if code == 401 { return failure(.unauthorized) }
        guard let answer else { return failure(.badResponse) }
        if code == 403 && answer.code == "Authorization_RequestDenied" { return failure(.permissionMissing) }
        return failure(.graphError)
    }

    static func transportReason(_ r: CurlResponse, settings: GraphEndpointSettings) -> GraphFailureReason {
        if let network = NetworkFailure.classify(r, viaProxy: settings.proxy.url != nil) { return GraphFailureReason(network) }
        switch r.code {
        case .operationTimedOut: return .responseTimeout
        case .recvError, .sendError, .gotNothing, .partialFile: return .connectionClosed
        default: return .networkError
        }
    }

    static func baseValues(_ s: GraphEndpointSettings, collection: GraphCollection, url: String) -> [String: String] {
        let parsed = URLComponents(string: url)
        let host = parsed?.host ?? url
        let port = parsed?.port ?? 443
        return ["host": host, "port": String(port), "proxy": s.proxy.display, "ca_file": s.caFile ?? "(system trust store)",
                "tenant": s.tenantId, "client": s.clientId, "limit": String(s.maxPageBytes), "collection": collection.displayName]
    }

    /// What the failure keeps as evidence: curl's reason, the HTTP status, Graph's error with its request ids, or
    /// the start of any other body (scrubbed by `OperatorError`).
    static func evidence(_ r: CurlResponse) -> String {
        var parts: [String] = []
        if r.code != .ok || r.responseTooLarge {
            parts.append("curl \(r.code.rawValue): \(r.errorText.isEmpty ? r.codeText : r.errorText)")
        }
        if r.responseCode > 0 { parts.append("HTTP \(r.responseCode)") }
        if r.responseTooLarge || r.body.isEmpty || r.responseCode == 200 && r.code == .ok { return parts.joined(separator: "; ") }
        if let answer = GraphErrorAnswer.parse(r.body) {
            var said = "\(answer.code): \(answer.message)"
            let ids = [answer.requestId.map { "request-id \($0)" }, answer.clientRequestId.map { "client-request-id \($0)" },
                       answer.date.map { "date \($0)" }].compactMap { $0 }
            if !ids.isEmpty { said += " (" + ids.joined(separator: ", ") + ")" }
            parts.append(said)
        } else {
            let text = String(decoding: r.body.prefix(600), as: UTF8.self)
                .replacingEvery("\r", with: " ").replacingEvery("\n", with: " ")
            parts.append("body: \(text)")
        }
        return parts.joined(separator: "; ")
    }
}
