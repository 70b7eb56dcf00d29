import FoundationEssentials
internal import CSecretWatchZlib

/// gzip through zlib (with `GzipStreams.swift`, the only files that touch zlib).
///
/// An exposition is served as pieces so that a scrape never recompresses the large part: the gzip header, then
/// the exposition's *segments*, each compressed once when its part changes into raw deflate blocks ended by a sync
/// flush (byte-aligned, nothing later refers back into it; see `DeflateSegment`), then a small, often-changing
/// part compressed into a *tail*: a fresh raw deflate stream ending in the final block, then the gzip trailer,
/// whose CRC and length combine every piece's. Together they are one ordinary single-member gzip file.
public enum Gzip {
    /// The gzip header (RFC 1952): magic, deflate, no flags, no mtime, no extra flags, OS = Unix.
    static let header: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]

    public struct Prefix: Sendable {
        /// What the tail's trailer needs to know about the prefix.
        public struct Info: Sendable, Equatable {
            var crc: UInt
            var length: Int
        }
        /// Header and deflate blocks, ending byte-aligned after a sync flush.
        var bytes: [UInt8]
        var info: Info
    }

    /// Compresses the last part of the member whose earlier parts add up to `prefix`, and appends the trailer.
    public static func tail(_ data: [UInt8], after prefix: Prefix.Info, level: Int32 = 6) throws(GzipError) -> [UInt8] {
        let writer = try DeflateWriter(level: level)
        try writer.write(data)
        var (out, info) = try writer.finish(last: true)
        let whole = combine(prefix, info)
        for value in [UInt32(truncatingIfNeeded: whole.crc), UInt32(truncatingIfNeeded: whole.length)] {
            out += [UInt8(value & 0xff), UInt8((value >> 8) & 0xff), UInt8((value >> 16) & 0xff), UInt8(value >> 24)]
        }
        return out
    }

    /// What `a` followed by `b` amounts to (zlib's CRC combination; no data is read again).
    static func combine(_ a: Prefix.Info, _ b: Prefix.Info) -> Prefix.Info {
        Prefix.Info(crc: crc32_combine(a.crc, b.crc, off_t(b.length)), length: a.length + b.length)
    }

    /// Decompresses one gzip member (tests read what the server sent with it).
    static func decompress(_ data: [UInt8], limit: Int = 64 << 20) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        try check(sw_inflate_init2(&stream, 31), stream, "initialising inflate")
        defer { inflateEnd(&stream) }
        var result: [UInt8] = []
        var input = data
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var rc: Int32 = Z_OK
        try input.withUnsafeMutableBufferPointer { (inBuf) throws(GzipError) in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            while rc != Z_STREAM_END {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    rc = inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                guard rc == Z_OK || rc == Z_STREAM_END, produced > 0 || rc == Z_STREAM_END else {
                    throw GzipError(code: rc, message: stream.msg.map { String(cString: $0) } ?? "truncated or corrupt data",
                                    context: "decompressing \(inBuf.count) bytes")
                }
                result += chunk[0..<produced]
                guard result.count <= limit else {
                    throw GzipError(code: Z_BUF_ERROR, message: "more than \(limit) bytes", context: "decompressing")
                }
            }
            guard stream.avail_in == 0 else {
                throw GzipError(code: Z_DATA_ERROR, message: "\(stream.avail_in) bytes after the end of the gzip member",
                                context: "decompressing")
            }
        }
        return result
    }

    private static func check(_ rc: Int32, _ stream: z_stream, _ context: String) throws(GzipError) {
        guard rc == Z_OK else {
            throw GzipError(code: rc, message: stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)", context: context)
        }
    }
}

/// A failed zlib call: its return code, zlib's message and what was being done.
public struct GzipError: Error, Sendable, CustomStringConvertible {
    let code: Int32
    let message: String
    let context: String
    public var description: String { "zlib error \(code) while \(context): \(message)" }
}
