internal import CSecretWatchZlib

/// Streaming halves of `Gzip`, for expositions too large to hold twice: `DeflateWriter` compresses text chunk
/// by chunk as it is rendered (the plain text never exists whole), and `DeflateReader` gives the text back
/// piece by piece when a scraper does not accept gzip. Both work on raw deflate data that ends in a sync flush
/// (a `DeflateSegment`). Both keep their `z_stream` on the heap: zlib's state points back at it, so it must
/// not move between calls.
final class DeflateWriter {
    private let stream: UnsafeMutablePointer<z_stream>
    private var out: [UInt8] = []
    private var crc: UInt = 0
    private var length = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    init(level: Int32 = 6) throws(GzipError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits -15: raw deflate; the gzip framing is `Gzip.header` and the trailer `Gzip.tail` writes.
        let rc = sw_deflate_init2(stream, level, -15)
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw GzipError(code: rc, message: "zlib error \(rc)", context: "initialising deflate")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `bytes` (zlib keeps what it has not emitted yet; nothing is flushed).
    func write(_ bytes: UnsafeRawBufferPointer) throws(GzipError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        crc = crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count))
        length += bytes.count
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(bytes.count)
        try drain(flush: Z_NO_FLUSH)
    }

    /// `write` for a whole array.
    func write(_ bytes: [UInt8]) throws(GzipError) {
        var failure: GzipError?
        bytes.withUnsafeBytes { buffer in
            do throws(GzipError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Ends with a sync flush (byte-aligned, nothing later refers back into it: a segment that others may
    /// follow) or, when `last`, with the final block, and returns the data.
    func finish(last: Bool = false) throws(GzipError) -> (raw: [UInt8], info: Gzip.Prefix.Info) {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try drain(flush: last ? Z_FINISH : Z_SYNC_FLUSH)
        defer { out = [] }
        return (out, .init(crc: crc, length: length))
    }

    /// Runs deflate until it has taken all input (and, for a flush, written everything out).
    private func drain(flush: Int32) throws(GzipError) {
        while true {
            let (rc, produced, outputFull) = chunk.withUnsafeMutableBufferPointer { buffer in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = uInt(buffer.count)
                let rc = deflate(stream, flush)
                return (rc, buffer.count - Int(stream.pointee.avail_out), stream.pointee.avail_out == 0)
            }
            // Z_BUF_ERROR only means "no progress possible": nothing left to do. Z_STREAM_END: the final block
            // is out.
            guard rc == Z_OK || rc == Z_BUF_ERROR || rc == Z_STREAM_END else {
                throw GzipError(code: rc, message: stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)",
                                context: "compressing the exposition")
            }
            out += chunk[0..<produced]
            if rc == Z_STREAM_END || (!outputFull && stream.pointee.avail_in == 0) { return }
        }
    }
}

/// Inflates raw deflate data that ends in a sync flush back into its text, a caller-sized piece at a time.
public final class DeflateReader {
    private let stream: UnsafeMutablePointer<z_stream>
    private let raw: ImmutableBytes
    private var produced = 0
    let length: Int

    /// - Parameter length: the length of the text `raw` was made from.
    public init(raw: ImmutableBytes, length: Int) throws(GzipError) {
        self.raw = raw
        self.length = length
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = sw_inflate_init2(stream, -15)
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw GzipError(code: rc, message: "zlib error \(rc)", context: "initialising inflate")
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: raw.buffer.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(raw.count)
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    public var isFinished: Bool { produced >= length }

    /// Fills up to `buffer.count` bytes of text; returns how many (0 only when finished).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(GzipError) -> Int {
        guard !isFinished, let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        let wanted = min(buffer.count, length - produced)
        stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(wanted)
        let rc = inflate(stream, Z_SYNC_FLUSH)
        let count = wanted - Int(stream.pointee.avail_out)
        guard rc == Z_OK || rc == Z_BUF_ERROR, count > 0 else {
            throw GzipError(code: rc, message: stream.pointee.msg.map { String(cString: $0) } ?? "the data ended early",
                            context: "inflating the exposition at byte \(produced) of \(length)")
        }
        produced += count
        return count
    }

    /// The whole text (`DeflateSegment.plainBytes`; scrapes stream it).
    func readAll() throws(GzipError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(length)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        while !isFinished {
            let count = try read(into: chunk)
            result += UnsafeRawBufferPointer(rebasing: chunk[0..<count])
        }
        return result
    }
}
