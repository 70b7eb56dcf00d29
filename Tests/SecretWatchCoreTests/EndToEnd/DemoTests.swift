import Foundation
import SecretWatchCrypto
import Testing
@testable import SecretWatchCore
import SecretWatchCurl

/// `secretwatch demo` as a newcomer runs it: stand-ins start, the tenant is discovered through the Graph stand-in
/// (its credentials watched, the SMTP secret's drift alarm, the rotation in progress), alarms are raised, alarm
/// e-mails arrive as .eml files, /metrics and the alarm API answer, the token failure is shown with its fix, a
/// certificate credential gets its token with a client assertion the stand-in verifies, the certificate ending in
/// 5 days raises `client_certificate_expiring` and its e-mail, and it stops cleanly.
@Suite("secretwatch demo", .serialized)
struct DemoTests {
    @Test("the demo shows discovery, alarms, delivered e-mails, the classified token failure, and answers over HTTP")
    func demo() async throws {
        let dir = TemporaryDirectory("secretwatch-demo")
        let port = EndToEndHarness.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.executable)
        process.arguments = ["demo", "--dir", dir.path, "--listen", "127.0.0.1:\(port)", "--stop-after", "60s"]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        let output = try process.runExclusively { () -> Pipe in
            let output = Pipe()
            process.standardOutput = output
            return output
        }
        defer { process.end(grace: 10) }
        let printed = PipeCollector(output.fileHandleForReading)

        let base = "http://127.0.0.1:\(port)"
        func get(_ path: String) throws -> String {
            let curl = try CurlEasy(secrets: Redactor.shared.curlSecrets)
            try curl.set([.url(base + path), .connectTimeout(2), .timeout(10), .proxy("")])
            let r = curl.perform()
            guard r.code == .ok, r.responseCode == 200 else { throw TestFailure("\(path): \(r.codeText) \(r.responseCode)") }
            return String(decoding: r.body, as: UTF8.self)
        }
        let deadline = Date().addingTimeInterval(50)
        var alarms = ""
        var emails: [String] = []
        var subjects: [String] = []
        var inventory: [String: Any] = [:]
        func inventoryToken() -> Bool { (inventory["last_token_attempt"] as? [String: Any])?["outcome"] as? String == "success" }
        while Date() < deadline {
            alarms = (try? get("/api/v1/alarms?state=active")) ?? ""
            emails = ((try? FileManager.default.contentsOfDirectory(atPath: dir.file("mail"))) ?? []).filter { $0.hasSuffix(".eml") }
            subjects = emails.compactMap { DemoProgress.subject(of: dir.file("mail/" + $0)) }
            let credentials = (try? get("/api/v1/credentials")).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            inventory = ((credentials?["credentials"] as? [[String: Any]]) ?? []).first { $0["name"] as? String == "inventory-app" } ?? [:]
            if alarms.contains("legacy-app") && alarms.contains("guest-portal") && alarms.contains("sponsor-portal")
                && alarms.contains("expiry_mismatch") && emails.count >= 3 && inventoryToken()
                && subjects.contains(where: { $0.contains("client_certificate_expiring: posture-app") }) { break }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        #expect(alarms.contains(#""kind":"client_secret_expired""#) && alarms.contains("guest-portal"), "\(alarms)")
        #expect(alarms.contains(#""kind":"client_secret_expiring""#) && alarms.contains("sponsor-portal"), "\(alarms)")
        #expect(alarms.contains(#""kind":"token_acquisition_failing""#) && alarms.contains("legacy-app"), "\(alarms)")
        #expect(!alarms.contains("byod-portal"))
        // Discovery: the configured secret_expires of ise-smtp is not Entra's date of the secret it uses, the
        // Secret ID legacy-app reads is no secret of its app, and discovered credentials raise alarms of their own.
        #expect(alarms.contains(#""kind":"expiry_mismatch""#) && alarms.contains(#""credential":"ise-smtp""#), "\(alarms)")
        #expect(alarms.contains(#""kind":"secret_not_in_entra""#), "\(alarms)")
        #expect(alarms.contains("Backup agent"), "\(alarms)")
        #expect(emails.count >= 3)
        // Certificate credentials: inventory-app's token came through the stand-in's verification of its client
        // assertion; posture-app's certificate ends in 5 days: critical at the 7-day threshold, and e-mailed.
        let inventoryCertificate = try X509Certificate(pemFile: dir.file("certificates/inventory-app.crt"))
        #expect(inventory["type"] as? String == "certificate", "\(inventory)")
        #expect(inventory["thumbprint"] as? String == inventoryCertificate.sha1Thumbprint, "\(inventory)")
        #expect(inventoryToken(), "\(inventory)")
        let certificateAlarms = try JSONSerialization.jsonObject(with: Data(try get("/api/v1/alarms?state=active&kind=client_certificate_expiring").utf8)) as? [String: Any]
        let posture = ((certificateAlarms?["alarms"] as? [[String: Any]]) ?? []).filter { $0["credential"] as? String == "posture-app" }
        #expect(posture.count == 1 && posture.first?["severity"] as? String == "critical" && posture.first?["threshold_days"] as? Int == 7,
                "\(String(describing: certificateAlarms))")
        #expect(!alarms.contains(#""credential":"inventory-app""#), "\(alarms)")
        #expect(subjects.contains { $0.contains("CRITICAL client_certificate_expiring: posture-app") }, "\(subjects)")
        for c in DemoWorkspace.certificateCredentials {
            #expect(SecretReader.mode(ofFile: dir.file("certificates/\(c.name).key")) == 0o600)
        }
        let metrics = try get("/metrics")
        #expect(metrics.contains(#"secretwatch_client_secret_expiry_timestamp_seconds{credential="byod-portal""#))

        process.interrupt() // Ctrl-C
        // The demo stops its daemon and stand-ins: wait on a Dispatch thread, not on the 2-thread cooperative pool.
        #expect(try await process.ending() == .exit(0))
        let text = await printed.text()
        #expect(text.contains("LOCAL STAND-INS for Entra ID and Exchange Online"))
        #expect(text.contains("curl -s \(base)/metrics"))
        #expect(text.contains("curl -s \(base)/api/v1/alarms"))
        #expect(text.contains("token request for legacy-app failed: invalid_client_secret"))
        #expect(text.contains("fix: put the secret's Value, not its Secret ID"))
        #expect(text.contains("e-mail delivered through XOAUTH2 to the Exchange stand-in"))
        #expect(text.contains("demo stopped. Everything it wrote stays in"))
        #expect(text.contains("Microsoft Graph stand-in:"))
        #expect(text.contains("token for inventory-app obtained with a client assertion signed by its certificate (SHA-1 thumbprint \(inventoryCertificate.sha1Thumbprint))"), "\(text)")
        #expect(text.contains("client_certificate_expiring for posture-app (critical)"), "\(text)")
        #expect(text.contains("posture-app     signs in with a certificate that expires in 5 days"), "\(text)")
        #expect(text.contains("tenant contoso discovered through Microsoft Graph: 14 applications, \(DemoTenant.credentialCount) secrets and certificates now watched"),
                "\(text)")
        #expect(text.contains("rotation in progress for ise-smtp: a new secret created on"), "\(text)")
        #expect(text.contains("expiry_mismatch for ise-smtp (warning)"), "\(text)")
        // Every secret and certificate of the tenant is a watched credential; ise-smtp's expiry follows Entra.
        let store = try Store(path: dir.file("secretwatch.db"))
        let discovered = try store.credentials().filter { $0.credential.source == .graph }
        #expect(discovered.count == DemoTenant.credentialCount, "\(discovered.map(\.name))")
        let smtp = try #require(try store.credentials().first { $0.name == "ise-smtp" })
        #expect(smtp.secretInUse?.rotationInProgress == true)
        #expect(smtp.credential.expiresAt.map { abs($0.timeIntervalSinceNow - DemoTenant.smtpSecretExpiresInDays * 86_400) < 86_400 } == true)
        // Nothing the demo wrote is removed; no secret reaches its output.
        for file in ["secretwatch.yml", "secretwatch.db", "secrets/ise-smtp.secret", "certificates/posture-app.key"] {
            #expect(FileManager.default.fileExists(atPath: dir.file(file)), "\(file) removed")
        }
        #expect(!text.contains(DemoWorkspace.goodSecret))
        for c in DemoWorkspace.certificateCredentials {
            let key = try String(contentsOfFile: dir.file("certificates/\(c.name).key"), encoding: .utf8)
            let body = key.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            #expect(!text.contains(String(body.prefix(64))), "no byte of \(c.name)'s key in the demo's output")
        }
    }

    @Test("a second demo on the same folder exits 1 naming the first one's pid, and leaves the first running")
    func secondDemoOnTheSameFolder() async throws {
        let dir = TemporaryDirectory("secretwatch-demo")
        let port = EndToEndHarness.freePort()
        let first = Process()
        first.executableURL = URL(fileURLWithPath: TestPaths.executable)
        first.arguments = ["demo", "--dir", dir.path, "--listen", "127.0.0.1:\(port)", "--stop-after", "60s"]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.runExclusively()
        defer { first.end(grace: 10) }
        let lockFile = DatabaseLock.lockPath(database: dir.file("secretwatch.db"))
        let deadline = Patience.deadline
        while Date() < deadline, (try? String(contentsOfFile: lockFile, encoding: .utf8)) != "\(first.processIdentifier)\n" {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let second = try await runProcess(TestPaths.executable, ["demo", "--dir", dir.path, "--listen", "127.0.0.1:\(EndToEndHarness.freePort())",
                                                                 "--stop-after", "5s"])
        #expect(second.status == 1, "\(second.stdout)\(second.stderr)")
        #expect(second.stderr.contains("another secretwatch (pid \(first.processIdentifier)) is running on \(dir.file("secretwatch.db")) (it holds"),
                "\(second.stderr)")
        #expect(!second.stdout.contains("LOCAL STAND-INS"), "the second demo started nothing")
        #expect(first.isRunning)
        // Stop the first one once its daemon runs (and handles Ctrl-C by stopping its stand-ins).
        func healthy() -> Bool {
            guard let curl = try? CurlEasy(secrets: Redactor.shared.curlSecrets), (try? curl.set([.url("http://127.0.0.1:\(port)/healthz"), .connectTimeout(2), .timeout(5), .proxy("")])) != nil
            else { return false }
            let r = curl.perform()
            return r.code == .ok && r.responseCode == 200
        }
        let up = Patience.deadline
        while Date() < up, first.isRunning, !healthy() { try await Task.sleep(nanoseconds: 200_000_000) }
        first.interrupt()
        #expect(try await first.ending() == .exit(0))
    }
}
