import FoundationEssentials
import Logging
internal import SecretWatchHTTPServer

/// `/metrics`, `/healthz` and `/readyz`.
extension APIRouter {
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Served from the prepared exposition on the server thread: no store, no waiting.
    func metricsResponse(_ request: HTTPRequest) -> HTTPResponse {
        let payload: MetricsPayload
        do {
            payload = try metrics.scrape()
        } catch {
            logger.error("cannot compress the metrics", metadata: ["error": "\(error)"])
            return .error(500, "cannot compress the metrics; the daemon log has the details")
        }
        let gzip = request.acceptsGzip
        var headers = [(name: "Content-Type", value: Self.metricsContentType), (name: "Vary", value: "Accept-Encoding")]
        if gzip { headers.append(("Content-Encoding", "gzip")) }
        return HTTPResponse(status: 200, headers: headers, body: .streamed(MetricsBody(payload: payload, gzip: gzip, logger: logger)))
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

    /// Ready when the database answers, takes writes and has not been found damaged, and the scheduler ran
    /// recently; otherwise 503 with the reason and a code. Whether writes work is what the store saw
    /// (`StoreHealth`): a persistent failure makes the daemon not ready until a write succeeds again; a damaged
    /// file until a restart. SQLite's own message and the statement go to the log only.
    func readiness() -> HTTPResponse {
        do {
            _ = try store.schemaVersion()
        } catch {
            logger.error("readiness: the database does not answer", metadata: ["error": "\(error)"])
            return .error(503, "the database does not answer; the daemon log has the details", code: "store_error")
        }
        let health = store.health.status
        if let damage = health.damage {
            return .error(503, "the database file is damaged: an operation failed on it at \(Timestamps.rfc3339(damage.at)); \(StoreFailureReason.corrupt.fix), then start secretwatch again (the daemon log has the details)",
                          code: "store_error")
        }
        if let failing = health.episode, failing.endedAt == nil {
            return .error(503, "the database does not accept writes since \(Timestamps.rfc3339(failing.since)) (\(failing.reason.rawValue): \(failing.reason.message); \(failing.failures) failed operation(s); the daemon log has the last error)",
                          code: "store_error")
        }
        let now = clock.now()
        guard let last = schedulerStatus.snapshot.lastPassStartedAt else {
            return .error(503, "the scheduler has not completed a pass yet", code: "scheduler_pending")
        }
        let age = now.timeIntervalSince(last)
        guard age <= schedulerStaleAfter else {
            return .error(503, "the scheduler last ran at \(Timestamps.rfc3339(last)), \(DurationText.format(age)) ago (more than twice its interval of \(DurationText.format(schedulerInterval)))",
                          code: "scheduler_stale")
        }
        return .json(Readiness(status: "ready", schedulerLastPass: last))
    }
}

/// The `/metrics` body: the payload's byte ranges sent from its own memory without a copy, or, for a plain answer
/// when a segment keeps only its deflate data, its text inflated as the server sends.
struct MetricsBody: HTTPResponseBody {
    let payload: MetricsPayload
    let gzip: Bool
    /// Where a failure mid-body is reported (the server can only close the connection then).
    let logger: Logger

    func content() -> HTTPBodyContent {
        if let segments = payload.segments(gzip: gzip) { return .buffers(segments, owner: payload) }
        let stream = PlainMetricsStream(payload, logger: logger)
        return .stream(stream, length: stream.length)
    }
}

extension PlainMetricsStream: HTTPBodyStream {
    /// An inflate failure cannot happen for a prefix this process compressed; if it does, the connection is closed
    /// mid-body rather than sending wrong bytes.
    func next(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        do {
            return try read(into: buffer)
        } catch {
            logger.error("cannot inflate the metrics exposition for a plain scrape; closing the connection mid-body",
                         metadata: ["error": "\(error)"])
            return nil
        }
    }
}
