import Foundation
import Testing
import SecretWatchCrypto
@testable import SecretWatchCore

/// The start-up pages the daemon hands back: only never-written segments are covered, resident memory falls,
/// and the code behind the released pages still runs (it is mapped again on first use).
@Suite("Memory release: start-up pages")
struct MemoryReleaseTests {
    /// The mappings of this process from /proc/self/maps: address range and whether it is writable.
    static func mappings() throws -> [(range: Swift.Range<UInt>, writable: Bool)] {
        try String(contentsOfFile: "/proc/self/maps", encoding: .utf8).split(separator: "\n").map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let bounds = fields[0].split(separator: "-").map { UInt($0, radix: 16)! }
            return (bounds[0]..<bounds[1], fields[1].contains("w"))
        }
    }

    @Test func theSegmentsCoverCodeOfTheProgramAndOfLibrariesAndNothingWritable() throws {
        let segments = MemoryRelease.readOnlySegments()
        let maps = try Self.mappings()
        func covered(_ address: UInt) -> Bool { segments.contains { $0.start <= address && address < $0.start + UInt($0.length) } }
        // Code of the test program itself, of libc and of SQLite.
        let function: @convention(c) () -> Void = {}
        #expect(covered(unsafeBitCast(function, to: UInt.self)), "the program's own code is not covered")
        let strlenAddress = UInt(bitPattern: dlsym(UnsafeMutableRawPointer(bitPattern: 0), "strlen"))
        #expect(strlenAddress != 0 && covered(strlenAddress), "libc's strlen is not in a released segment")
        let sqliteAddress = UInt(bitPattern: dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sqlite3_open_v2"))
        #expect(sqliteAddress != 0 && covered(sqliteAddress), "SQLite's code is not in a released segment")
        // Nothing writable: relocated data and variables are the process's own.
        for segment in segments {
            let end = segment.start + UInt(segment.length)
            let writable = maps.filter { $0.writable && $0.range.lowerBound < end && segment.start < $0.range.upperBound }
            #expect(writable.isEmpty, "segment \(String(segment.start, radix: 16)) overlaps writable mappings")
        }
    }

    @Test func residentMemoryFallsAndTheReleasedCodeStillRuns() throws {
        // Touch SQLite and OpenSSL code first, so that their pages are resident before the release.
        let vector = Digest.sha256Hex("abc")
        let released = MemoryRelease.releaseStartupPages()
        #expect(released.covered > 1_000_000)
        #expect(released.residentAfter < released.residentBefore - 1_048_576,
                "resident \(released.residentBefore) → \(released.residentAfter) bytes")
        // The same code runs again from the page cache: hashing (OpenSSL), a database (SQLite), an error thrown
        // and caught (unwind tables), a formatted string (the standard library).
        #expect(Digest.sha256Hex("abc") == vector)
        #expect(vector == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.file("after-release.db"))
        #expect(try store.meta("nothing") == nil)
        struct Thrown: Error {}
        #expect(throws: Thrown.self) { throw Thrown() }
        #expect("\(3.5) \(Int64.max)" == "3.5 9223372036854775807")
    }
}
