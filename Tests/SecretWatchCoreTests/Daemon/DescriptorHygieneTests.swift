import Foundation
import Testing
@testable import SecretWatchCore

/// The daemon never closes a descriptor that is not open. A double close is a race with every other thread: the
/// second close hits whatever was opened under that number meanwhile (the database, a mail or HTTP socket). Its
/// visible half is a close() answered EBADF, which `Fixtures/close-check.c`, preloaded into `secretwatch run`,
/// reports with a backtrace. The run covers the daemon's paths: passes, tokens and mail over STARTTLS, the API
/// (reads, an acknowledgement), /metrics, a SIGHUP reload and SIGTERM.
@Suite("Daemon: no descriptor closed twice", .serialized)
struct DescriptorHygieneTests {
    @Test func aFullRunClosesNoDescriptorThatIsNotOpen() async throws {
        let h = try EndToEndHarness()
        let shim = try await PreloadLibrary.build("Daemon/Fixtures/close-check.c", in: h.dir)
        let report = h.dir.file("close-check.log")
        let now = Date()
        try h.writeConfig(smtpExpires: now.addingTimeInterval(3650 * 86400),
                          credentials: EndToEndTests.watched("hygiene", expires: now.addingTimeInterval(3 * 86400)))
        try await h.startDaemon(environment: ["LD_PRELOAD": shim, "SW_CLOSE_CHECK_LOG": report])
        try await h.waitUntil("the expiring alarm's e-mail") {
            h.receivedMail().contains { EndToEndHarness.subject($0.text).contains("client_secret_expiring: hygiene") }
        }
        #expect(try h.get("/metrics").status == 200)
        #expect(try h.get("/metrics", headers: ["Accept-Encoding: gzip"]).status == 200)
        #expect(try h.get("/readyz").status == 200)
        let alarms = try h.get("/api/v1/alarms?state=active&credential=hygiene").json()["alarms"] as? [[String: Any]] ?? []
        let id = try #require(alarms.first?["id"] as? Int)
        #expect(try h.post("/api/v1/alarms/\(id)/ack", json: #"{"by": "hygiene test"}"#, token: h.apiToken).status == 200)
        #expect(try h.get("/api/v1/credentials").status == 200)
        #expect(try h.get("/api/v1/deliveries").status == 200)
        try h.writeConfig(smtpExpires: now.addingTimeInterval(3650 * 86400),
                          credentials: EndToEndTests.watched("hygiene", expires: now.addingTimeInterval(400 * 86400)))
        h.signalDaemon(SIGHUP)
        try await h.waitUntil("the cleared e-mail after the reload") {
            h.receivedMail().contains { EndToEndHarness.subject($0.text).hasPrefix("[secretwatch] CLEARED client_secret_expiring: hygiene") }
        }
        #expect(try await h.stopDaemon() == 0, "\(h.log.suffix(2000))")
        let reported = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        #expect(reported.isEmpty, "the daemon closed descriptors that were not open:\n\(reported.prefix(6000))")
        // The check was in place (the library was loaded into the daemon), or an empty report would prove nothing.
        #expect(FileManager.default.fileExists(atPath: report + ".loaded"))
    }
}
