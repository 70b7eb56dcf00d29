import Foundation
import SecretWatchTesting
@testable import SecretWatchCore

/// `Fixtures/hostile_smtp.py` through the `SMTPTestServer` launcher: an SMTP server that answers what the test
/// scripts, at any stage (see the script's header for stages and special replies), and logs every line the client
/// sent, AUTH blobs included.
struct HostileRule: Encodable {
    var stage: String
    var reply: String
    var times: Int?
    var match: String?
    /// After a `CHALLENGE …` reply: the answer to the client's response.
    var then: String?

    init(_ stage: String, _ reply: String, times: Int? = nil, match: String? = nil, then: String? = nil) {
        self.stage = stage
        self.reply = reply
        self.times = times
        self.match = match
        self.then = then
    }
}

extension SMTPTestServer {
    static let hostileScript = "hostile_smtp.py"

    /// Starts the hostile server with `rules` in force (the bearer `acceptedTokens` pass AUTH unless a rule says
    /// otherwise).
    static func hostile(_ rules: [HostileRule] = [], acceptedTokens: [String] = [TestTokens.good], flags: [String] = []) async throws -> SMTPTestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secretwatch-hostile-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeRules(rules, to: directory)
        return try await start(flags: flags, acceptedTokens: acceptedTokens, directory: directory, script: hostileScript)
    }

    /// Replaces the rules in force (read again before the server's next reply).
    func setRules(_ rules: [HostileRule]) throws {
        try Self.writeRules(rules, to: directory)
    }

    private static func writeRules(_ rules: [HostileRule], to directory: URL) throws {
        struct Script: Encodable { var rules: [HostileRule] }
        let url = directory.appendingPathComponent("script.json")
        let tmp = directory.appendingPathComponent("script.json.tmp")
        try JSONEncoder().encode(Script(rules: rules)).write(to: tmp)
        guard rename(tmp.path, url.path) == 0 else { throw TestFailure("cannot write \(url.path): errno \(errno)") }
    }

    /// Every line the client sent, in order.
    func clientLines() -> [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("client.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            struct Entry: Decodable { var line: String }
            return try? JSONDecoder().decode(Entry.self, from: Data(line.utf8)).line
        }
    }

    /// The messages the hostile server accepted, as raw bytes, in order.
    func acceptedMessages() -> [Data] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: mailDirectory.path)) ?? []
        return files.filter { $0.hasSuffix(".eml") }.sorted().compactMap { try? Data(contentsOf: mailDirectory.appendingPathComponent($0)) }
    }
}
