import Logging
internal import SecretWatchExposition

/// One scrape's answer: the state part and the live part, each plain or gzip. Keeps both alive for as long as
/// the HTTP server sends from their memory.
public final class MetricsPayload: Sendable {
    let exposition: Exposition
    let tail: LiveMetrics.Tail

    init(exposition: Exposition, tail: LiveMetrics.Tail) {
        self.exposition = exposition
        self.tail = tail
    }

    /// The byte ranges to send, in order; nil for a plain answer when a segment keeps only its deflate data
    /// (send a `PlainMetricsStream` then).
    func segments(gzip: Bool) -> [UnsafeRawBufferPointer]? {
        if gzip { return [Exposition.gzipHeader.buffer] + exposition.segments.map(\.raw.buffer) + [tail.gzip.buffer] }
        var buffers: [UnsafeRawBufferPointer] = []
        for segment in exposition.segments {
            guard let plain = segment.plain else { return nil }
            buffers.append(plain.buffer)
        }
        return buffers + [tail.plain.buffer]
    }

    func length(gzip: Bool) -> Int {
        if gzip { return Exposition.gzipHeader.count + exposition.segments.reduce(0) { $0 + $1.raw.count } + tail.gzip.count }
        return exposition.plainLength + tail.plain.count
    }
}

/// A plain answer when some segment keeps only its deflate data: each segment's text in turn (inflated piece
/// by piece as the server asks for bytes, or copied when kept), then the live tail's text.
final class PlainMetricsStream {
    let payload: MetricsPayload
    /// Where a failure mid-body is reported (the server can only close the connection then).
    let logger: Logger
    private var pieces: [Piece]
    private var reader: DeflateReader?
    private var offset = 0

    private enum Piece {
        case kept(ImmutableBytes)
        case compressed(DeflateSegment)
    }

    init(_ payload: MetricsPayload, logger: Logger) {
        self.payload = payload
        self.logger = logger
        pieces = payload.exposition.segments.map { $0.plain.map(Piece.kept) ?? .compressed($0) } + [.kept(payload.tail.plain)]
        pieces.reverse()
    }

    var length: Int { payload.length(gzip: false) }

    /// Fills `buffer` with the next bytes; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(GzipError) -> Int {
        while let piece = pieces.last {
            switch piece {
            case .kept(let bytes):
                let count = min(buffer.count, bytes.count - offset)
                if count > 0, let target = buffer.baseAddress, let source = bytes.buffer.baseAddress {
                    target.copyMemory(from: source + offset, byteCount: count)
                    offset += count
                    return count
                }
            case .compressed(let segment):
                if reader == nil { reader = try DeflateReader(raw: segment.raw, length: segment.length) }
                if let reader, !reader.isFinished { return try reader.read(into: buffer) }
                reader = nil
            }
            pieces.removeLast()
            offset = 0
        }
        return 0
    }
}
