/// An exposition published once per change and then served to every scrape as is: the gzip header, then the
/// deflate segments in order (some reused from an earlier render, some rendered now), each with its text unless
/// that is large (see `DeflateSegment`). A tail (`Gzip.tail` after `prefixInfo`) ends the gzip member.
public final class Exposition: Sendable {
    public static let gzipHeader = ImmutableBytes(Gzip.header)

    /// Increases with every render; a tail compressed after `prefixInfo` belongs to one generation.
    public let generation: UInt64
    public let segments: [DeflateSegment]
    /// CRC and length of all segments' text together (what the tail's gzip trailer continues).
    public let prefixInfo: Gzip.Prefix.Info

    /// The text's length, whether it is kept or not.
    public var plainLength: Int { prefixInfo.length }

    public init(generation: UInt64, segments: [DeflateSegment]) {
        self.generation = generation
        self.segments = segments
        prefixInfo = segments.dropFirst().reduce(segments.first?.info ?? .init(crc: 0, length: 0)) { Gzip.combine($0, $1.info) }
    }

    /// The whole text, inflating what is not kept (the CLI and tests; scrapes stream it).
    public func plainBytes() throws(GzipError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(plainLength)
        for segment in segments { out += try segment.plainBytes() }
        return out
    }
}

/// One piece of an exposition's gzip member: raw deflate blocks ending in a sync flush, so that segments
/// compressed at different times can follow one another in one member (see `Gzip`), with the CRC and length of
/// the text they hold, and the text itself when it is small (`plainLimit`). A large piece is kept only
/// compressed; a plain scrape inflates it as it sends (`DeflateReader`).
public final class DeflateSegment: Sendable {
    /// 8 MiB: a larger text keeps only its deflate data (about a seventh of it for exposition lines), as
    /// Prometheus asks for gzip and holding both would keep the text only for the occasional plain scrape.
    public static let defaultPlainLimit = 8 << 20

    public let raw: ImmutableBytes
    let info: Gzip.Prefix.Info
    /// nil when the text was larger than the plain limit.
    public let plain: ImmutableBytes?

    public var length: Int { info.length }

    fileprivate init(raw: [UInt8], info: Gzip.Prefix.Info, plain: [UInt8]?) {
        self.raw = ImmutableBytes(raw)
        self.info = info
        self.plain = plain.map(ImmutableBytes.init)
    }

    /// Renders `body` into a new segment, compressing as it writes.
    public static func render(plainLimit: Int, _ body: (inout ExpositionWriter) -> Void) throws(GzipError) -> DeflateSegment {
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
public final class SegmentBuilder: ExpositionSink {
    private let compressor: DeflateWriter
    private let plainLimit: Int
    private var plain: [UInt8]? = []
    private var failure: GzipError?

    public init(plainLimit: Int) throws(GzipError) {
        compressor = try DeflateWriter()
        self.plainLimit = plainLimit
    }

    public func consume(_ chunk: UnsafeRawBufferPointer) {
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

    public func finish() throws(GzipError) -> DeflateSegment {
        if let failure { throw failure }
        let (raw, info) = try compressor.finish()
        return DeflateSegment(raw: raw, info: info, plain: plain)
    }
}

/// Bytes at a fixed address that never change after creation, so an HTTP server can send them without a copy
/// (keeping the owner alive until the response is sent).
///
/// `@unchecked Sendable`: the memory is written once in `init` and only read afterwards; it is freed in
/// `deinit`, which runs after the last reference (the response's, at the latest) is gone.
public final class ImmutableBytes: @unchecked Sendable {
    public let buffer: UnsafeRawBufferPointer

    public init(_ bytes: [UInt8]) {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { memory.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        buffer = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(memory)[0..<bytes.count])
    }

    deinit {
        UnsafeMutableRawPointer(mutating: buffer.baseAddress!).deallocate()
    }

    public var count: Int { buffer.count }
    public var array: [UInt8] { Array(buffer) }
}
