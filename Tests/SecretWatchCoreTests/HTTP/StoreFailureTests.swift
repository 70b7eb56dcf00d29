import Foundation
import Logging
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// A database that fails its reads: the API answers a stable error code and never the SQL or SQLite's text (the
/// log has them), and `/readyz` stops saying ready.
@Suite struct StoreFailureTests {
    /// A copy of a seeded database with the first page of the alarms table overwritten: the file still opens
    /// and its schema reads, but every read of an alarm fails.
    static func corruptedCopy(of s: TestServer, into dir: TemporaryDirectory) throws -> String {
        let (root, pageSize) = try s.store.withRawConnection { db -> (Int, Int) in
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            let root = try #require(try db.scalar("SELECT rootpage FROM sqlite_master WHERE name = 'alarms'")?.int)
            return (root, try #require(try db.scalar("PRAGMA page_size")?.int))
        }
        let copy = dir.file("corrupt.db")
        try FileManager.default.copyItem(atPath: s.store.path, toPath: copy)
        let handle = try #require(FileHandle(forWritingAtPath: copy))
        try handle.seek(toOffset: UInt64((root - 1) * pageSize))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: pageSize))
        try handle.close()
        return copy
    }

    @Test func aCorruptedPageIsA500WithoutSQLAndReadyzTurns503() throws {
        let seeded = try TestServer()
        try seeded.seedStandard()
        let dir = TemporaryDirectory()
        let copy = try Self.corruptedCopy(of: seeded, into: dir)
        seeded.stop()

        let sink = MemoryLogSink()
        let logger = Logger(label: "secretwatch.http") { KeyValueLogHandler(label: $0, level: .debug, sink: sink) }
        let s = try TestServer(database: copy, logger: logger)
        s.recordPass()
        #expect(try s.get("/readyz").status == 200, "ready before any read found the damage")

        for path in ["/api/v1/alarms", "/api/v1/alarms/1", "/api/v1/credentials"] {
            let r = try s.get(path)
            #expect(r.status == 500, "\(path): \(r.text)")
            #expect(try r.json()["code"] as? String == "store_error", "\(path): \(r.text)")
            for leaked in ["SELECT", "FROM", "alarms WHERE", "SQLite", "malformed", "sqlite"] {
                #expect(!r.text.contains(leaked), "\(path) answer carries \"\(leaked)\": \(r.text)")
            }
        }
        // The log has what the answer leaves out.
        #expect(sink.lines.contains { $0.contains("API request failed") && $0.contains("malformed") }, "\(sink.lines)")

        let ready = try s.get("/readyz")
        #expect(ready.status == 503, "\(ready.text)")
        #expect(try ready.json()["code"] as? String == "store_error", "\(ready.text)")
        #expect(!ready.text.contains("SELECT") && !ready.text.contains("malformed"), "\(ready.text)")
        // Health is the process, not the database.
        #expect(try s.get("/healthz").status == 200)
    }

    @Test func everyErrorAnswerCarriesAStableCode() throws {
        let s = try TestServer()
        let cases: [(String, String, Int, String)] = [
            ("GET", "/nope", 404, "not_found"), ("POST", "/metrics", 405, "method_not_allowed"),
            ("GET", "/api/v1/alarms?limit=0", 400, "bad_request"), ("POST", "/api/v1/alarms/1/ack", 401, "unauthorized"),
            ("GET", "/readyz", 503, "scheduler_pending"),
        ]
        for (method, path, status, code) in cases {
            let r = try httpRequest(port: s.port, method, path, body: method == "POST" ? [] : nil)
            #expect(r.status == status, "\(method) \(path): \(r.text)")
            #expect(try r.json()["code"] as? String == code, "\(method) \(path): \(r.text)")
        }
    }
}
