/// One piece of the `/metrics` gzip member: raw deflate blocks ending in a sync flush, so that segments
/// compressed at different times can follow one another in one member (see `Gzip`), with the CRC and length of
/// the text they hold, and the text itself when it is small (`plainLimit`). A large piece is kept only
/// compressed; a plain scrape inflates it as it sends (`DeflateReader`).
final class DeflateSegment: Sendable {
    /// 8 MiB: 10,000 credentials (~2 MB per family) keep their text; 100,000 (~20 MB) keep only the ~3 MB of
    /// deflate data, as Prometheus asks for gzip and holding both would keep 38 MB for the occasional curl.
    static let defaultPlainLimit = 8 << 20

    let raw: ImmutableBytes
    let info: Gzip.Prefix.Info
    /// nil when the text was larger than the plain limit.
    let plain: ImmutableBytes?

    var length: Int { info.length }

    fileprivate init(raw: [UInt8], info: Gzip.Prefix.Info, plain: [UInt8]?) {
        self.raw = ImmutableBytes(raw)
        self.info = info
        self.plain = plain.map(ImmutableBytes.init)
    }

    /// Renders `body` into a new segment, compressing as it writes.
    static func render(plainLimit: Int, _ body: (inout ExpositionWriter) -> Void) throws(GzipError) -> DeflateSegment {
        let builder = try SegmentBuilder(plainLimit: plainLimit)
        var writer = ExpositionWriter(sink: builder)
        body(&writer)
        writer.finish()
        return try builder.finish()
    }

    /// The text, inflated when it is not kept.
    func plainBytes() throws(GzipError) -> [UInt8] {
        if let plain { return plain.array }
        return try DeflateReader(raw: raw, length: length).readAll()
    }
}

/// Takes an `ExpositionWriter`'s chunks: compresses them, and keeps the text while it stays within the limit.
final class SegmentBuilder: ExpositionSink {
    private let compressor: DeflateWriter
    private let plainLimit: Int
    private var plain: [UInt8]? = []
    private var failure: GzipError?

    init(plainLimit: Int) throws(GzipError) {
        compressor = try DeflateWriter()
        self.plainLimit = plainLimit
    }

    func consume(_ chunk: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        do throws(GzipError) {
            try compressor.write(chunk)
        } catch {
            failure = error
        }
        if let kept = plain?.count {
            if kept + chunk.count <= plainLimit { plain!.append(contentsOf: chunk) } else { plain = nil }
        }
    }

    func finish() throws(GzipError) -> DeflateSegment {
        if let failure { throw failure }
        let (raw, info) = try compressor.finish()
        return DeflateSegment(raw: raw, info: info, plain: plain)
    }
}
