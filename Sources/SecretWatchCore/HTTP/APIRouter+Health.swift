import Foundation

/// `/metrics`, `/healthz` and `/readyz`.
extension APIRouter {
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Served from the prepared exposition on the server thread: no store, no waiting.
    func metricsResponse(_ request: HTTPRequest) -> HTTPResponse {
        let payload: MetricsPayload
        do {
            payload = try metrics.scrape()
        } catch {
            return .error(500, "cannot compress the metrics: \(error)")
        }
        let gzip = request.acceptsGzip
        var headers = [(name: "Content-Type", value: Self.metricsContentType), (name: "Vary", value: "Accept-Encoding")]
        if gzip { headers.append(("Content-Encoding", "gzip")) }
        return HTTPResponse(status: 200, headers: headers, body: .metrics(payload, gzip: gzip))
    }

    /// How stale the last scheduler pass may be before the daemon is not ready: two intervals (one pass
    /// may run long or start late without flapping readiness).
    var schedulerStaleAfter: TimeInterval { schedulerInterval * 2 }

    private struct Readiness: Encodable {
        var status: String
        var schedulerLastPass: Date?
        enum CodingKeys: String, CodingKey {
            case status
            case schedulerLastPass = "scheduler_last_pass"
        }
    }

    /// Ready when the database answers and takes writes, and the scheduler ran recently; otherwise 503 with
    /// the reason. Whether writes work is what the store saw (`StoreHealth`): a persistent failure makes the
    /// daemon not ready until a write succeeds again.
    func readiness() -> HTTPResponse {
        do {
            _ = try store.schemaVersion()
        } catch {
            return .error(503, "database not reachable: \(error)")
        }
        if let failing = store.health.status.episode, failing.endedAt == nil {
            return .error(503, "the database does not accept writes since \(Timestamps.rfc3339(failing.since)) (\(failing.reason.rawValue): \(failing.reason.message); \(failing.failures) failed operation(s); last error: \(failing.error))")
        }
        let now = clock.now()
        guard let last = schedulerStatus.snapshot.lastPassStartedAt else {
            return .error(503, "the scheduler has not completed a pass yet")
        }
        let age = now.timeIntervalSince(last)
        guard age <= schedulerStaleAfter else {
            return .error(503, "the scheduler last ran at \(Timestamps.rfc3339(last)), \(DurationText.format(age)) ago (more than twice its interval of \(DurationText.format(schedulerInterval)))")
        }
        return .json(Readiness(status: "ready", schedulerLastPass: last))
    }
}
