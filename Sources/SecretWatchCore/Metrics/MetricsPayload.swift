/// One scrape's answer: the state part and the live part, each plain or gzip. Keeps both alive for as long as
/// the HTTP server sends from their memory.
public final class MetricsPayload: Sendable {
    let exposition: Exposition
    let tail: LiveMetrics.Tail

    init(exposition: Exposition, tail: LiveMetrics.Tail) {
        self.exposition = exposition
        self.tail = tail
    }

    /// The byte ranges to send, in order.
    func segments(gzip: Bool) -> [UnsafeRawBufferPointer] {
        gzip ? [exposition.gzipPrefix.buffer, tail.gzip.buffer] : [exposition.plain.buffer, tail.plain.buffer]
    }

    func length(gzip: Bool) -> Int {
        segments(gzip: gzip).reduce(0) { $0 + $1.count }
    }
}
