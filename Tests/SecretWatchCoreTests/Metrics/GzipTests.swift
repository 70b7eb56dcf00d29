import Foundation
import Testing
@testable import SecretWatchCore
@testable import SecretWatchExposition

extension Gzip {
    /// The gzip header and one segment: the leading part of a member (what the tests build members from).
    static func prefix(_ data: [UInt8]) throws(GzipError) -> Prefix {
        let writer = try DeflateWriter()
        try writer.write(data)
        let (raw, info) = try writer.finish()
        return Prefix(bytes: header + raw, info: info)
    }
}

/// The split gzip member: a prefix compressed once and tails compressed per scrape make one valid file.
@Suite struct GzipTests {
    private func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            // Text-like bytes so that deflate finds matches across the split.
            return UInt8(ascii: "a") + UInt8((state >> 33) % 6)
        }
    }

    @Test(arguments: [(0, 0), (0, 100), (1, 1), (5000, 0), (70_000, 1200), (700_000, 3000)])
    func prefixPlusTailIsOneGzipMember(prefixSize: Int, tailSize: Int) throws {
        let head = bytes(prefixSize, seed: 1)
        let prefix = try Gzip.prefix(head)
        for seed in 2...3 as ClosedRange<UInt64> {
            let tailData = bytes(tailSize, seed: seed)
            let member = prefix.bytes + (try Gzip.tail(tailData, after: prefix.info))
            #expect(try Gzip.decompress(member) == head + tailData)
        }
    }

    /// Deflate segments written chunk by chunk at different times make one gzip member with a header, in any
    /// number, whatever the chunking; the reader gives each text back whatever the piece size.
    @Test(arguments: [(0, 1), (1, 1), (5000, 7), (700_000, 65_536), (700_000, 1_000_003)])
    func streamedSegmentsRoundTrip(size: Int, chunk: Int) throws {
        let texts = [bytes(size, seed: 9), bytes(size / 3, seed: 11), bytes(100, seed: 12)]
        var member = Gzip.header
        var info = Gzip.Prefix.Info(crc: 0, length: 0)
        var segments: [(raw: [UInt8], info: Gzip.Prefix.Info)] = []
        for text in texts {
            let writer = try DeflateWriter()
            var offset = 0
            while offset < text.count {
                let end = min(text.count, offset + chunk)
                try text[offset..<end].withUnsafeBytes { try writer.write($0) }
                offset = end
            }
            let segment = try writer.finish()
            #expect(segment.info == Gzip.Prefix.Info(crc: try Gzip.prefix(text).info.crc, length: text.count))
            member += segment.raw
            info = Gzip.combine(info, segment.info)
            segments.append(segment)
        }
        let tailData = bytes(300, seed: 10)
        member += try Gzip.tail(tailData, after: info)
        #expect(try Gzip.decompress(member) == texts.joined() + tailData)
        for (text, segment) in zip(texts, segments) {
            for piece in [1, 13, 65_536] {
                let reader = try DeflateReader(raw: ImmutableBytes(segment.raw), length: text.count)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: piece, alignment: 1)
                defer { buffer.deallocate() }
                var out: [UInt8] = []
                var steps = 0
                while !reader.isFinished, steps <= text.count {
                    let n = try reader.read(into: buffer)
                    out += UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                    steps += 1
                }
                #expect(out == text, "piece size \(piece)")
                #expect(try reader.read(into: buffer) == 0)
            }
        }
    }

    @Test func aSegmentKeepsItsTextOnlyUpToTheLimit() throws {
        let small = try DeflateSegment.render(plainLimit: 1000) { $0.family(MetricCatalog.buildInfo) }
        let smallText = try small.plainBytes()
        #expect(small.plain?.array == smallText)
        let large = try DeflateSegment.render(plainLimit: 100) { w in
            for i in 0..<50 { w.sample(MetricCatalog.buildInfo, ["v\(i)", "r", "6.3"], 1) }
        }
        #expect(large.plain == nil)
        #expect(String(decoding: try large.plainBytes(), as: UTF8.self).hasSuffix("secretwatch_build_info{version=\"v49\",revision=\"r\",swift=\"6.3\"} 1\n"))
    }

    @Test func aDamagedSegmentIsAnErrorNotACrash() throws {
        let text = bytes(50_000, seed: 4)
        var damaged = Array(try Gzip.prefix(text).bytes.dropFirst(Gzip.header.count))
        damaged.removeLast(damaged.count / 2)
        #expect(throws: GzipError.self) {
            _ = try DeflateReader(raw: ImmutableBytes(damaged), length: text.count).readAll()
        }
    }

    @Test func gunzipReadsIt() async throws {
        let text = Array(String(repeating: "secretwatch_metric{a=\"b\"} 1\n", count: 500).utf8)
        let prefix = try Gzip.prefix(Array(text[..<7000]))
        let member = prefix.bytes + (try Gzip.tail(Array(text[7000...]), after: prefix.info))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sw-gzip-\(UUID().uuidString).gz")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(member).write(to: file)
        let result = try await runProgram("/usr/bin/gzip", ["-t", file.path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func corruptInputIsAnErrorNotACrash() {
        #expect(throws: GzipError.self) { try Gzip.decompress([0x1f, 0x8b, 0x08, 0, 1, 2, 3]) }
        #expect(throws: GzipError.self) { try Gzip.decompress(Array("not gzip".utf8)) }
    }
}
