import Foundation
@testable import SecretWatchCore

/// A real Dovecot 2.3 submission service (Debian's dovecot-core + dovecot-submissiond), run by
/// `SMTP/Fixtures/dovecot_submission.py` from its own temporary directory on a free 127.0.0.1 port: STARTTLS
/// with a throwaway CA, AUTH XOAUTH2/OAUTHBEARER checked by Dovecot's oauth2 passdb, which validates HS256 JWTs
/// locally (no introspection), and accepted mail relayed to an aiosmtpd sink whose messages `received()` reads.
/// A refused token gets Dovecot's RFC 7628 answer, `334 <base64 {"status":"401","schemes":"bearer","scope":"mail"}>`,
/// then `535 5.7.8` once the client has answered it.
///
/// The wrapper stops Dovecot and exits when its stdin closes, so a crashed test run leaks no process (Dovecot
/// also dies with the wrapper). Use `with(_:)`, which always stops the instance, or `stop()`.
final class DovecotSubmission: @unchecked Sendable {
    struct Received: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var subject: String
        var message_id: String
        /// The raw message as the sink received it (Dovecot adds its own trace headers on top).
        var raw = Data()

        enum CodingKeys: String, CodingKey {
            case mail_from, rcpt_tos, subject, message_id
        }
    }

    /// The `aud` Dovecot requires (its `client_id`); fixed in the fixture.
    static let audience = "secretwatch-tests"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SMTP/Fixtures/dovecot_submission.py")

    let port: Int
    let directory: URL
    private let process: Process
    private let input: Pipe

    var caFile: String { directory.appendingPathComponent("certs/ca.pem").path }
    var logFile: URL { directory.appendingPathComponent("dovecot.log") }
    private var sinkDirectory: URL { directory.appendingPathComponent("sink") }
    private var keyFile: String { directory.appendingPathComponent("hs256.key").path }
    private var otherKeyFile: String { directory.appendingPathComponent("other.key").path }

    /// Starts an instance, waiting for it on a Dispatch thread (certificates and Dovecot's start take about half
    /// a second; waiting on Swift's cooperative pool would stall other tests' async work meanwhile).
    static func start() async throws -> DovecotSubmission {
        try await BlockingExecutor.run { try DovecotSubmission() }
    }

    /// Runs `body` against a fresh instance and stops the instance afterwards, also when `body` throws.
    static func with<T>(_ body: (DovecotSubmission) async throws -> T) async throws -> T {
        let dovecot = try await start()
        do {
            let result = try await body(dovecot)
            await dovecot.stop()
            return result
        } catch {
            await dovecot.stop()
            throw error
        }
    }

    private init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("secretwatch-dovecot-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        self.process = process
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script.path, "--dir", directory.path]
        let errors = directory.appendingPathComponent("wrapper.stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
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
                let ending = process.endAndDescribe()
                let why = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
                try? FileManager.default.removeItem(at: directory)
                throw TestFailure("dovecot_submission.py exited (\(ending)) before listening: \(why)")
            }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let portText = text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines), let p = Int(portText) else {
            throw TestFailure("unexpected first line from dovecot_submission.py: \(text)")
        }
        port = p
    }

    deinit {
        // Without a wait: closing stdin is enough for the wrapper to stop Dovecot and exit.
        try? input.fileHandleForWriting.close()
    }

    /// Stops Dovecot and the sink (Dovecot takes about a second to shut down; waited for off the cooperative
    /// pool, and bounded: SIGTERM, then SIGKILL, which Dovecot follows through PR_SET_PDEATHSIG) and removes the
    /// directory.
    func stop() async {
        await BlockingExecutor.run {
            try? self.input.fileHandleForWriting.close()
            self.process.end(grace: 10)
            try? FileManager.default.removeItem(at: self.directory)
        }
    }

    /// An SMTP configuration for this instance (STARTTLS, trusting its CA).
    func smtpConfig(mailbox: String = "sender@contoso.example", host: String = "localhost", timeout: TimeInterval = 30) -> SMTPConfig {
        var config = MailTestSupport.smtpConfig(host: host, port: port, tls: .starttls, caFile: caFile, mailbox: mailbox)
        config.timeout = timeout
        return config
    }

    /// A JWT Dovecot accepts for `mailbox` until `expiresIn` seconds from now (negative: already expired), with
    /// `sub` = mailbox, `aud` = `audience`, `iat`, `exp` and `scope`, signed HS256 with the instance's key — or,
    /// with `wrongKey`, with a key Dovecot does not know.
    func token(for mailbox: String = "sender@contoso.example", expiresIn: Int = 3600, wrongKey: Bool = false,
               audience: String = DovecotSubmission.audience) async throws -> String {
        let (status, output) = try await runProgram("/usr/bin/python3", [
            Self.script.path, "--mint", "--key-file", wrongKey ? otherKeyFile : keyFile,
            "--sub", mailbox, "--exp-in", "\(expiresIn)", "--aud", audience,
        ])
        let token = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, token.split(separator: ".").count == 3 else {
            throw TestFailure("could not mint a JWT (status \(status)): \(output)")
        }
        return token
    }

    /// The messages the sink received from Dovecot's relay, in order.
    func received() throws -> [Received] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: sinkDirectory.path)) ?? []
        return try files.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let url = sinkDirectory.appendingPathComponent(name)
            var mail = try JSONDecoder().decode(Received.self, from: Data(contentsOf: url))
            mail.raw = try Data(contentsOf: url.deletingPathExtension().appendingPathExtension("eml"))
            return mail
        }
    }

    /// Dovecot's log so far (auth failures name their reason: "Token has expired", "Incorrect JWT signature").
    func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }
}
