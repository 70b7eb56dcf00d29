import Foundation
import Testing
@testable import SecretWatchCore

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

    @Test func gunzipReadsIt() throws {
        let text = Array(String(repeating: "secretwatch_metric{a=\"b\"} 1\n", count: 500).utf8)
        let prefix = try Gzip.prefix(Array(text[..<7000]))
        let member = prefix.bytes + (try Gzip.tail(Array(text[7000...]), after: prefix.info))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sw-gzip-\(UUID().uuidString).gz")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(member).write(to: file)
        let result = try runProgram("/usr/bin/gzip", ["-t", file.path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func corruptInputIsAnErrorNotACrash() {
        #expect(throws: GzipError.self) { try Gzip.decompress([0x1f, 0x8b, 0x08, 0, 1, 2, 3]) }
        #expect(throws: GzipError.self) { try Gzip.decompress(Array("not gzip".utf8)) }
    }
}
