import Foundation
internal import CZlib

/// gzip through zlib (with `GzipStreams.swift`, the only files that touch zlib).
///
/// `/metrics` is served as two pieces so that a scrape never recompresses the large part: the exposition
/// body compressed once per state change into a gzip *prefix* (header + raw deflate blocks ended by a sync
/// flush, so the bit stream is byte-aligned and nothing later refers back to it), and the small per-second part
/// (process and HTTP counters) compressed into a *tail* (a fresh raw deflate stream ending in the final block,
/// then the gzip trailer over both pieces). Prefix + tail is one ordinary single-member gzip file.
enum Gzip {
    /// The gzip header (RFC 1952): magic, deflate, no flags, no mtime, no extra flags, OS = Unix.
    static let header: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]

    struct Prefix: Sendable {
        /// What the tail's trailer needs to know about the prefix.
        struct Info: Sendable, Equatable {
            var crc: UInt
            var length: Int
        }
        /// Header and deflate blocks, ending byte-aligned after a sync flush.
        var bytes: [UInt8]
        var info: Info
    }

    /// Compresses the leading part of a gzip member.
    static func prefix(_ data: [UInt8], level: Int32 = 6) throws(GzipError) -> Prefix {
        var out = header
        out += try deflateRaw(data, level: level, flush: Z_SYNC_FLUSH)
        return Prefix(bytes: out, info: .init(crc: crc(data, initial: 0), length: data.count))
    }

    /// Compresses the last part of the member that starts with `prefix` and appends the trailer.
    static func tail(_ data: [UInt8], after prefix: Prefix.Info, level: Int32 = 6) throws(GzipError) -> [UInt8] {
        var out = try deflateRaw(data, level: level, flush: Z_FINISH)
        let tailCRC = crc(data, initial: 0)
        let combined = UInt32(truncatingIfNeeded: crc32_combine(prefix.crc, tailCRC, off_t(data.count)))
        let total = UInt32(truncatingIfNeeded: prefix.length + data.count)
        for value in [combined, total] {
            out += [UInt8(value & 0xff), UInt8((value >> 8) & 0xff), UInt8((value >> 16) & 0xff), UInt8(value >> 24)]
        }
        return out
    }

    /// What `a` followed by `b` amounts to (zlib's CRC combination; no data is read again).
    static func combine(_ a: Prefix.Info, _ b: Prefix.Info) -> Prefix.Info {
        Prefix.Info(crc: crc32_combine(a.crc, b.crc, off_t(b.length)), length: a.length + b.length)
    }

    /// A whole gzip member in one go.
    static func compress(_ data: [UInt8], level: Int32 = 6) throws(GzipError) -> [UInt8] {
        let p = try prefix([], level: level)
        return p.bytes + (try tail(data, after: p.info, level: level))
    }

    private static func crc(_ data: [UInt8], initial: UInt) -> UInt {
        data.withUnsafeBufferPointer { buffer in
            crc32(initial, buffer.baseAddress, UInt32(buffer.count))
        }
    }

    private static func deflateRaw(_ data: [UInt8], level: Int32, flush: Int32) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        // windowBits -15: raw deflate; the gzip framing is written here, not by zlib.
        try check(sw_deflate_init2(&stream, level, -15), stream, "initialising deflate")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count))) + 64
        var out = [UInt8](repeating: 0, count: bound)
        var input = data
        let produced: Int = try input.withUnsafeMutableBufferPointer { (inBuf) throws(GzipError) -> Int in
            try out.withUnsafeMutableBufferPointer { (outBuf) throws(GzipError) -> Int in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                let rc = deflate(&stream, flush)
                let expected = flush == Z_FINISH ? Z_STREAM_END : Z_OK
                guard rc == expected, stream.avail_in == 0 else {
                    throw GzipError(code: rc, message: stream.msg.map { String(cString: $0) } ?? "output buffer too small",
                                    context: "compressing \(inBuf.count) bytes")
                }
                return outBuf.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(produced...)
        return out
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
