import Foundation
import SecretWatchTesting
@testable import SecretWatchCore

/// A running `Fixtures/smtp_server.py` (aiosmtpd under Debian's /usr/bin/python3) on a random 127.0.0.1 port,
/// with its own throwaway CA. It exits when its stdin closes, so even a crashed test run leaks no process;
/// `stop()` (or deinit) closes stdin and waits for it.
final class SMTPTestServer: @unchecked Sendable {
    struct Received: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var subject: String
        var body: String?
        var header_names: [String]
        var message_id: String
        var authenticated_as: String?
        /// The raw message as received (after dot-unstuffing).
        var raw = Data()

        enum CodingKeys: String, CodingKey {
            case mail_from, rcpt_tos, subject, body, header_names, message_id, authenticated_as
        }
    }

    struct Stats: Decodable {
        var connections: Int
        var max_concurrent: Int
        var auth_ok: Int
        var auth_failed: Int
        var messages: Int
    }

    let port: Int
    let directory: URL
    /// The directory is removed with the server unless the test passed its own (to reuse it).
    private let ownsDirectory: Bool
    private let process: Process
    private let input: Pipe

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    var caFile: String { directory.appendingPathComponent("certs/ca.pem").path }
    var tokensFile: URL { directory.appendingPathComponent("tokens") }
    var mailDirectory: URL { directory.appendingPathComponent("mail") }

    /// Starts the server, waiting for it on a Dispatch thread: Python's start-up (and the certificates it makes)
    /// takes about a second, and waiting on Swift's cooperative pool (2 threads here) stalls every other test's
    /// async work meanwhile.
    static func start(flags: [String] = [], port: Int = 0, acceptedTokens: [String] = [TestTokens.good], directory: URL? = nil,
                      script: String = "smtp_server.py") async throws -> SMTPTestServer {
        try await BlockingExecutor.run {
            try SMTPTestServer(flags: flags, port: port, acceptedTokens: acceptedTokens, directory: directory, script: script)
        }
    }

    /// `flags`: `--no-tls`, `--implicit`, `--blackhole`. `port`: a fixed port (server down-then-up tests).
    /// `script`: `smtp_server.py`, or `connect_proxy.py` for an HTTP CONNECT proxy (`--deny`: always 407).
    init(flags: [String] = [], port: Int = 0, acceptedTokens: [String] = [TestTokens.good], directory: URL? = nil,
         script: String = "smtp_server.py") throws {
        ownsDirectory = directory == nil || script == Self.hostileScript
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("secretwatch-smtp-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: self.directory.appendingPathComponent("certs"), withIntermediateDirectories: true)
        try (acceptedTokens.joined(separator: "\n") + "\n").write(to: self.directory.appendingPathComponent("tokens"), atomically: true, encoding: .utf8)
        let process = Process()
        self.process = process
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.fixtures.appendingPathComponent(script).path, "--port", "\(port)", "--dir", self.directory.appendingPathComponent("mail").path,
                             "--certdir", self.directory.appendingPathComponent("certs").path,
                             "--tokens", self.directory.appendingPathComponent("tokens").path,
                             "--stats", self.directory.appendingPathComponent("stats.json").path] + flags
            + (script == Self.hostileScript ? ["--script", self.directory.appendingPathComponent("script.json").path,
                                               "--log", self.directory.appendingPathComponent("client.log").path] : [])
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        let (input, output) = try process.runExclusively { () -> (Pipe, Pipe) in
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            return (input, output)
        }
        self.input = input
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                throw TestFailure("smtp_server.py exited (\(process.endAndDescribe())) before listening")
            }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let portText = text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines), let p = Int(portText) else {
            throw TestFailure("unexpected first line from smtp_server.py: \(text)")
        }
        self.port = p
    }

    deinit {
        stop()
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        // Bounded: a child that ignores SIGTERM (a blocked signal mask inherited from a Dispatch thread) is killed
        // after 5 s rather than holding this thread, often one of the two cooperative ones, for ever.
        process.end(grace: 5)
    }

    func acceptTokens(_ tokens: [String]) throws {
        try (tokens.joined(separator: "\n") + "\n").write(to: tokensFile, atomically: true, encoding: .utf8)
    }

    func received() throws -> [Received] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: mailDirectory.path)) ?? []
        return try files.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let url = mailDirectory.appendingPathComponent(name)
            var mail = try JSONDecoder().decode(Received.self, from: Data(contentsOf: url))
            mail.raw = try Data(contentsOf: url.deletingPathExtension().appendingPathExtension("eml"))
            return mail
        }
    }

    func stats() throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: Data(contentsOf: directory.appendingPathComponent("stats.json")))
    }

    /// An SMTP configuration pointing at this server (trusting its CA unless told otherwise).
    func smtpConfig(mailbox: String = "sender@contoso.example", trustCA: Bool = true, tls: TLSMode = .starttls,
                    host: String = "localhost", connectTimeout: TimeInterval = 10) -> SMTPConfig {
        MailTestSupport.smtpConfig(host: host, port: port, tls: tls, caFile: trustCA ? caFile : nil, mailbox: mailbox,
                                   connectTimeout: connectTimeout)
    }
}
