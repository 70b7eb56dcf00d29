import Foundation
import Synchronization
import Testing
@testable import SecretWatchCore
import SecretWatchCurl

/// The built `secretwatch-standins` executable as the demo and the end-to-end tests use it: a subprocess that
/// prints one JSON line, serves a token and a mail through its stand-ins, obeys its control endpoint and stops
/// cleanly on SIGTERM.
@Suite("secretwatch-standins executable")
struct StandInsExecutableTests {
    static var executable: String {
        get throws {
            let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            var candidates = [beside, beside.deletingLastPathComponent()].map { $0.appendingPathComponent("secretwatch-standins").path }
            candidates.append(TestPaths.packageRoot.appendingPathComponent(".build/debug/secretwatch-standins").path)
            return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
                                "secretwatch-standins not found; build it with swift build --build-tests")
        }
    }

    @Test func startsServesAndStopsOnSIGTERM() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("standins-exe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let mailbox = "alerts@contoso.example"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.executable)
        process.arguments = ["--secret", "exe-secret", "--mailbox", mailbox, "--mail-dir", work + "/mail",
                             "--tenant-behaviour", "broken=invalid_client_secret"]
        process.standardInput = FileHandle.nullDevice
        let (out, err) = try process.runExclusively { () -> (Pipe, Pipe) in
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            return (out, err)
        }
        let errors = PipeCollector(err.fileHandleForReading)
        // A safety bound, not an assertion: a hung child is killed so the suite cannot hang or leak it.
        let watchdog = DispatchWorkItem { if !process.hasEnded { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        defer {
            watchdog.cancel()
            process.end(grace: 0)
        }

        let line = try #require(await Self.firstLine(of: out.fileHandleForReading), "no JSON line on stdout")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let caFile = try #require(json["ca_file"] as? String)
        let pkiDir = try #require(json["pki_dir"] as? String)
        let endpoint = try #require(json["token_endpoint"] as? String)
        let smtpPort = try #require(json["smtp_port"] as? Int)
        let control = try #require(json["control"] as? String)
        #expect(json["smtp_host"] as? String == "127.0.0.1")
        #expect(json["mail_dir"] as? String == work + "/mail")
        #expect(json["stand_in"] as? String == "secretwatch local stand-ins, not Microsoft")
        #expect(endpoint.hasPrefix("https://127.0.0.1:") && endpoint.hasSuffix("/{tenant}/oauth2/v2.0/token"))
        #expect(FileManager.default.fileExists(atPath: caFile))

        let result = try await BlockingExecutor.run { () throws -> [CurlResponse] in
            func tokenRequest(tenant: String) throws -> CurlResponse {
                let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
                try easy.set([.url(endpoint.replacingOccurrences(of: "{tenant}", with: tenant)), .caFile(caFile), .proxy(""), .timeout(10),
                              .post(body: "grant_type=client_credentials&client_id=app&client_secret=exe-secret&scope=https%3A%2F%2Foutlook.office365.com%2F.default",
                                    headers: ["Content-Type: application/x-www-form-urlencoded"])])
                return easy.perform()
            }
            func send(_ bearer: String) throws -> CurlResponse {
                let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
                try easy.set([.url("smtp://127.0.0.1:\(smtpPort)"), .requireTLS, .caFile(caFile), .proxy(""), .connectTimeout(10), .timeout(20),
                              .xoauth2(user: mailbox, bearer: bearer), .mailFrom(mailbox), .mailRecipients(["ops@contoso.example"]),
                              .upload(Data("Subject: through the executable\r\nMessage-ID: <exe-1@secretwatch.test>\r\n\r\nhello\r\n".utf8))])
                return easy.perform()
            }
            func post(_ path: String, _ body: String) throws -> CurlResponse {
                let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
                try easy.set([.url(control + path), .proxy(""), .timeout(10), .post(body: body, headers: ["Content-Type: application/json"])])
                return easy.perform()
            }
            let good = try tokenRequest(tenant: "contoso")
            let broken = try tokenRequest(tenant: "broken")
            let object = try JSONSerialization.jsonObject(with: good.body) as? [String: Any]
            let bearer = object?["access_token"] as? String ?? ""
            let sent = try send(bearer)
            let switched = try post("/exchange/behaviour", #"{"behaviour":"token_refused"}"#)
            let refused = try send(bearer)
            let badDelay = try post("/exchange/accept-delay", #"{"milliseconds":"soon"}"#)
            return [good, broken, sent, switched, refused, badDelay]
        }
        let (good, broken, sent, switched, refused) = (result[0], result[1], result[2], result[3], result[4])
        #expect(result[5].responseCode == 400)
        #expect(String(decoding: result[5].body, as: UTF8.self).contains(#"\"milliseconds\" must be a whole number from 0 to 60000"#))
        #expect(good.responseCode == 200, "\(String(decoding: good.body, as: UTF8.self))")
        #expect(broken.responseCode == 401 && String(decoding: broken.body, as: UTF8.self).contains("AADSTS7000215"))
        #expect(sent.ok, "\(sent.codeText) \(sent.headerLines)")
        #expect(sent.headerLines.first?.contains("not Microsoft") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work + "/mail") == ["000001-exe-1@secretwatch.test.eml"])
        #expect(switched.responseCode == 200)
        #expect(refused.code == .loginDenied)
        #expect(refused.failureReply?.hasPrefix("535 5.7.3 Authentication unsuccessful [") == true)

        kill(process.processIdentifier, SIGTERM)

        #expect(try await process.ending() == .exit(0))
        let banner = await errors.text()
        #expect(banner.contains("LOCAL STAND-INS, NOT MICROSOFT"))
        #expect(!FileManager.default.fileExists(atPath: pkiDir), "the temporary PKI directory is removed at exit")
        #expect(FileManager.default.fileExists(atPath: work + "/mail/000001-exe-1@secretwatch.test.eml"), "mail is kept")
    }

    /// Reads until the first newline (or end of output), on a Dispatch thread: the stand-ins make their throwaway
    /// PKI before they print it, and a test waiting for that on Swift's cooperative pool (2 threads here) stalls
    /// every other test.
    static func firstLine(of handle: FileHandle) async -> String? {
        await BlockingExecutor.run { firstLineBlocking(of: handle) }
    }

    private static func firstLineBlocking(of handle: FileHandle) -> String? {
        var data = Data()
        while !data.contains(0x0A) {
            let chunk = handle.availableData
            guard !chunk.isEmpty else { break }
            data.append(chunk)
        }
        guard let newline = data.firstIndex(of: 0x0A) else { return nil }
        return String(decoding: data[..<newline], as: UTF8.self)
    }
}
