import FoundationEssentials
internal import SecretWatchCurl

/// Turns what libcurl reported for a token request into a classified `TokenFailure` (rows 1–16 of the
/// reference table and the catch-alls), or nil when the answer is a token.
enum TokenFailureClassifier {
    /// The failure a completed transfer represents; nil when it carries a token (then `TokenGrant.parse` works).
    static func classify(_ response: CurlResponse, settings: TokenEndpointSettings) -> TokenFailure? {
        var values = baseValues(settings)
        values["curl"] = "\(response.codeText) (curl error \(response.code.rawValue))"
        let detail = evidence(response)
        if response.responseTooLarge {
            return TokenFailure(reason: .responseTooLarge, values: values, detail: detail, httpStatus: status(response))
        }
        if response.code != .ok {
            let reason = transportReason(response, settings: settings)
            values["seconds"] = seconds(reason == .responseTimeout ? settings.timeout : settings.connectTimeout)
            return TokenFailure(reason: reason, values: values, detail: detail)
        }
        return httpFailure(response, values: values, settings: settings)
    }

    static func transportReason(_ r: CurlResponse, settings: TokenEndpointSettings) -> TokenFailureReason {
        if let network = NetworkFailure.classify(r, viaProxy: settings.proxy.url != nil) { return TokenFailureReason(network) }
        switch r.code {
        case .operationTimedOut: return .responseTimeout
        case .recvError, .sendError, .gotNothing, .partialFile: return .connectionClosed
        default: return .networkError
        }
    }

    /// A complete HTTP answer: a token, Microsoft's error JSON, or something else.
    static func httpFailure(_ r: CurlResponse, values: [String: String], settings: TokenEndpointSettings) -> TokenFailure? {
        var values = values
        let code = r.responseCode
        values["status"] = String(code)
        values["content_type"] = r.header("Content-Type") ?? "no content type"
        let detail = evidence(r)
        if code == 200 {
            return TokenGrant.parse(r.body) == nil ? TokenFailure(reason: .idpBadResponse, values: values, detail: detail, httpStatus: code) : nil
        }
        let answer = TokenErrorAnswer.parse(r.body)
        if let answer {
            values["code"] = answer.aadstsCode.map(String.init) ?? "none"
            values["error"] = answer.error
            values["description"] = answer.summary
        }
        func failure(_ reason: TokenFailureReason, retryAfter: TimeInterval? = nil) -> TokenFailure {
            TokenFailure(reason: reason, values: values, detail: detail, httpStatus: code, aadstsCode: answer?.aadstsCode,
                         oauthError: answer?.error, traceId: answer?.traceId, correlationId: answer?.correlationId,
                         retryAfter: retryAfter)
        }
        if code == 429 {
            let wait = RetryAfter.parse(r.header("Retry-After"), now: Date())
            values["retry"] = wait.map { DurationText.format($0) } ?? "an unstated delay"
            return failure(.throttled, retryAfter: wait)
        }
        if (500...599).contains(code) { return failure(.idpUnavailable) }
        guard let answer, (400...499).contains(code) else { return failure(.idpBadResponse) }
        if let known = answer.aadstsCode.flatMap(TokenFailureReason.forAADSTS) {
            if known == .invalidClientAssertion {
                values.merge(TokenFailureReason.assertionValues(code: answer.aadstsCode)) { $1 }
            }
            return failure(known)
        }
        switch answer.error {
        case "invalid_scope": return failure(.invalidScope)
        case "unauthorized_client" where answer.aadstsCode == nil: return failure(.invalidClientId)
        case "invalid_client" where answer.aadstsCode == nil: return failure(.invalidClientSecret)
        default: return failure(.idpError)
        }
    }

    static func baseValues(_ s: TokenEndpointSettings) -> [String: String] {
        let (host, port) = s.hostAndPort
        return ["host": host, "port": String(port), "endpoint": s.endpoint, "proxy": s.proxy.display,
                "ca_file": s.caFile ?? "(system trust store)", "tenant": s.tenantId, "client": s.clientId,
                "scope": s.scope, "limit": String(s.maxResponseBytes), "source": s.authentication.description,
                "thumbprint": s.authentication.certificate?.thumbprint ?? "unknown"]
    }

    /// What the history keeps as evidence: curl's reason (transport failures), the HTTP status, and Microsoft's
    /// error with its trace and correlation ids, or the start of any other body (scrubbed by `OperatorError`;
    /// a token answer never gets here).
    static func evidence(_ r: CurlResponse) -> String {
        var parts: [String] = []
        if r.code != .ok || r.responseTooLarge {
            parts.append("curl \(r.code.rawValue): \(r.errorText.isEmpty ? r.codeText : r.errorText)")
        }
        if r.responseCode > 0 { parts.append("HTTP \(r.responseCode)") }
        if r.responseTooLarge || r.body.isEmpty { return parts.joined(separator: "; ") }
        if let answer = TokenErrorAnswer.parse(r.body) {
            var said = "\(answer.error)" + (answer.aadstsCode.map { " AADSTS\($0)" } ?? "") + ": \(answer.summary)"
            if let trace = answer.traceId { said += " (trace id \(trace)" + (answer.correlationId.map { ", correlation id \($0)" } ?? "") + ")" }
            parts.append(said)
        } else {
            let text = String(decoding: r.body.prefix(600), as: UTF8.self)
                .replacingEvery("\r", with: " ").replacingEvery("\n", with: " ")
            parts.append("body: \(text)")
        }
        return parts.joined(separator: "; ")
    }

    /// `10s`, `1m30s`, `1.5s`.
    static func seconds(_ t: TimeInterval) -> String {
        t == t.rounded() ? DurationText.format(t) : String(cFormat: "%.1fs", t)
    }

    static func status(_ r: CurlResponse) -> Int? { r.responseCode > 0 ? r.responseCode : nil }
}
