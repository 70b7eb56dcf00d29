import Foundation
import Testing
@testable import SecretWatchCore
import SecretWatchCurl

/// The built binaries as an operator runs them: `secretwatch-standins` (Entra and Exchange stand-ins) and
/// `secretwatch run` as subprocesses, talking over loopback. Stops everything it started, even on failure.
final class EndToEndHarness: @unchecked Sendable {
    // `@unchecked Sendable`: one test drives a harness from one task; the daemon Process is only replaced there.
    static let tenant = "8f3e2a10-6b7c-4d2e-9a1b-0c5d4e3f2a10"
    static let client = "5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a"
    static let mailbox = "ise-alerts@contoso.example"
    static let admin = "mail-admins@contoso.example"
    static let secret = "e2e~Secret.Value-accepted"

    let dir = TemporaryDirectory("secretwatch-e2e")
    let standIns: StandInsProcess
    let httpPort: Int
    private(set) var daemon: Process?
    private var daemonLog: FileHandle?

    var configPath: String { dir.file("secretwatch.yml") }
    var databasePath: String { dir.file("secretwatch.db") }
    var mailDirectory: String { dir.file("mail") }
    var logPath: String { dir.file("daemon.log") }
    var apiToken: String { "e2e-api-token-\(httpPort)" }

    init(standInArguments: [String] = []) throws {
        let binaryDirectory = URL(fileURLWithPath: TestPaths.executable).deletingLastPathComponent()
        try FileManager.default.createDirectory(atPath: dir.file("mail"), withIntermediateDirectories: true)
        standIns = try StandInsProcess(executable: binaryDirectory.appendingPathComponent("secretwatch-standins").path,
                                       arguments: ["--dir", dir.file("pki"), "--mail-dir", dir.file("mail"),
                                                   "--secret", Self.secret, "--mailbox", Self.mailbox] + standInArguments)
        httpPort = Self.freePort()
        try dir.write("client-secret", Self.secret + "\n", mode: 0o600)
        try dir.write("api-token", apiToken + "\n", mode: 0o600)
    }

    deinit {
        daemon?.end(grace: 10)
        try? daemonLog?.close()
        standIns.stop()
    }

    /// Writes the configuration: the SMTP credential (expiring at `smtpExpires`), plus `credentials` YAML items.
    func writeConfig(smtpExpires: Date, credentials: String = "", interval: String = "1s", extra: String = "") throws {
        let e = standIns.endpoints
        try dir.write("secretwatch.yml", """
            database: \(databasePath)
            log_level: info
            http:
              listen: 127.0.0.1:\(httpPort)
              api_token_file: \(dir.file("api-token"))
            scheduler:
              interval: \(interval)
            smtp:
              host: \(e.smtpHost)
              port: \(e.smtpPort)
              connect_timeout: 5s
              timeout: 30s
              ca_file: \(e.caFile)
              auth:
                name: smtp
                display_name: E2E sender app
                mailbox: \(Self.mailbox)
                tenant_id: \(Self.tenant)
                client_id: \(Self.client)
                client_secret_file: \(dir.file("client-secret"))
                secret_expires: \(Timestamps.rfc3339(smtpExpires))
                token_endpoint: \(e.tokenEndpoint)
            token:
              connect_timeout: 5s
              timeout: 10s
              ca_file: \(e.caFile)
              proxy: direct
            notifications:
              to: [\(Self.admin)]
            mailer:
              poll_interval: 500ms
              retry_initial: 1s
              retry_max: 2s
              rate_per_minute: 0
            \(extra)
            credentials:\(credentials.isEmpty ? " []" : "\n" + credentials)
            """)
    }

    /// Starts `secretwatch run` on the configuration (optionally with a scaled clock; `environment` is added to
    /// the test's own).
    func startDaemon(timeScale: Double? = nil, environment: [String: String] = [:]) async throws {
        precondition(daemon == nil, "the daemon already runs")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.executable)
        process.arguments = ["run", "--config", configPath] + (timeScale.map { ["--time-scale", "\($0)"] } ?? [])
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        try process.runExclusively()
        daemon = process
        daemonLog = log
        try await waitUntil("the daemon answers /healthz") { (try? self.get("/healthz").status) == 200 }
    }

    func signalDaemon(_ signal: Int32) {
        guard let daemon, daemon.isRunning else { return }
        kill(daemon.processIdentifier, signal)
    }

    /// kill -9: no chance to clean up.
    func killDaemon() {
        signalDaemon(SIGKILL)
        daemon?.end(grace: 0)
        daemon = nil
    }

    /// SIGTERM and wait (on a Dispatch thread, bounded); returns the exit status.
    @discardableResult
    func stopDaemon() async throws -> Int32? {
        guard let process = daemon else { return nil }
        if !process.hasEnded { process.terminate() }
        defer {
            daemon = nil
            try? daemonLog?.close()
            daemonLog = nil
        }
        return try await process.ending().status
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    // MARK: - HTTP

    struct Answer {
        var status: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
        }
    }

    func get(_ path: String, headers: [String] = []) throws -> Answer {
        try request("http://127.0.0.1:\(httpPort)\(path)", headers: headers)
    }

    func post(_ path: String, json: String, token: String? = nil) throws -> Answer {
        try request("http://127.0.0.1:\(httpPort)\(path)", body: json,
                    headers: ["Content-Type: application/json"] + (token.map { ["Authorization: Bearer \($0)"] } ?? []))
    }

    /// Changes a stand-in's behaviour through its control endpoint (docs/stand-ins.md).
    func control(_ path: String, _ json: String = "{}") throws {
        let answer = try request(standIns.endpoints.control + path, body: json, headers: ["Content-Type: application/json"])
        #expect(answer.status == 200, "control \(path): \(answer.text)")
    }

    func request(_ url: String, body: String? = nil, headers: [String] = []) throws -> Answer {
        let curl = try CurlEasy(secrets: Redactor.shared.curlSecrets)
        try curl.set([.url(url), .connectTimeout(5), .timeout(30), .proxy(""), .maxResponseBytes(16 << 20)])
        if let body { try curl.set(.post(body: body, headers: headers)) } else { try curl.set(.httpHeaders(headers)) }
        let response = curl.perform()
        guard response.code == .ok else {
            throw TestFailure("\(url): \(response.codeText) \(response.errorText)")
        }
        return Answer(status: response.responseCode, body: response.body)
    }

    // MARK: - Mail at the Exchange stand-in

    /// Every message the Exchange stand-in accepted, by file name (in arrival order).
    func receivedMail() -> [(file: String, text: String)] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: mailDirectory)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return files.map { ($0, (try? String(contentsOfFile: mailDirectory + "/" + $0, encoding: .utf8)) ?? "") }
    }

    static func header(_ name: String, in message: String) -> String? {
        let lines = message.components(separatedBy: "\r\n")
        guard let index = lines.firstIndex(where: { $0.lowercased().hasPrefix(name.lowercased() + ":") }) else { return nil }
        var value = String(lines[index].dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
        for line in lines[(index + 1)...] {
            guard line.hasPrefix(" ") || line.hasPrefix("\t") else { break }
            value += " " + line.trimmingCharacters(in: .whitespaces)
        }
        return value
    }

    static func subject(_ message: String) -> String {
        DemoProgress.decodeEncodedWords(header("Subject", in: message) ?? "")
    }

    // MARK: - waiting

    /// Polls `condition` every 100 ms (a bounded wait, not a timing assertion). Async, so a long wait never holds
    /// one of the cooperative threads the other tests need.
    func waitUntil(_ what: String, timeout: TimeInterval = Patience.seconds, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            if let daemon, !daemon.isRunning {
                throw TestFailure("the daemon exited (status \(daemon.terminationStatus)) while waiting for \(what); log:\n\(log.suffix(3000))")
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        // One last look: a loop starved of the cooperative pool by other tests may not have polled at all.
        if (try? condition()) == true { return }
        throw TestFailure("timed out after \(Int(timeout)) s waiting for \(what); log:\n\(log.suffix(3000))")
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
