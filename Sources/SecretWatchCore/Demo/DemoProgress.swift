import FoundationEssentials

/// What the demo prints while it runs: each discovery of a tenant (what it found, the secret in use of each
/// configured credential, a rotation in progress), each alarm transition, each e-mail the Exchange stand-in
/// received, each classified token failure with its fix, and each token a certificate credential obtained with a
/// client assertion — read from the database and the mail folder, once a second.
public final class DemoProgress: @unchecked Sendable {
    // `@unchecked Sendable`: the mutable cursors below are only touched by `poll()`, which the demo calls from
    // one task, one call at a time.
    private let store: Store
    private let mailDirectory: String
    private var lastEventId: Int64 = 0
    private var seenMail: Set<String> = []
    private var seenTokenFailures: Set<String> = []
    /// Token attempts (ids) already seen: a certificate credential's success is printed once.
    private var seenTokenAttempts: Set<Int64> = []
    private var lastDiscoveryRunId: Int64 = 0
    private var seenSecretInUse: Set<String> = []
    private let write: @Sendable (String) -> Void

    public init(store: Store, mailDirectory: String, write: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.store = store
        self.mailDirectory = mailDirectory
        self.write = write
        seenMail = Set((try? FileManager.default.contentsOfDirectory(atPath: mailDirectory)) ?? [])
        lastEventId = (try? store.lastAlarmEventId()) ?? 0
        seenTokenAttempts = Set(((try? store.lastTokenAttempts()) ?? [:]).values.compactMap(\.id))
        lastDiscoveryRunId = ((try? store.discoveryRuns(limit: 1))?.first?.id) ?? 0
        seenSecretInUse = Set(((try? store.read { try $0.credentialsWithSecretInUse() }) ?? []).compactMap(Self.secretInUseKey))
    }

    /// Prints what happened since the last call; returns how many lines it printed.
    @discardableResult
    public func poll() -> Int {
        var lines = discoveryLines()
        if let entries = try? store.alarmEvents(after: lastEventId, types: [.raised, .escalated, .cleared]) {
            for entry in entries {
                let e = entry.event
                lastEventId = max(lastEventId, e.id)
                lines.append("  alarm #\(e.alarmId) \(e.type.rawValue) — \(entry.kind.rawValue) for \(entry.credentialName) (\(entry.alarmSeverity.rawValue)): \(e.detail)")
            }
        }
        if let attempts = try? store.lastTokenAttempts() {
            lines += certificateTokenLines(attempts)
            for (name, attempt) in attempts.sorted(by: { $0.key < $1.key }) where attempt.outcome == .failure {
                let key = "\(name)/\(attempt.reason ?? "")"
                guard seenTokenFailures.insert(key).inserted else { continue }
                lines.append("  token request for \(name) failed: \(attempt.reason ?? "unknown") — \(attempt.message ?? "")")
            }
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: mailDirectory)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        for file in files where seenMail.insert(file).inserted {
            let subject = Self.subject(of: mailDirectory + "/" + file) ?? "(no subject)"
            lines.append("  e-mail delivered through XOAUTH2 to the Exchange stand-in: mail/\(file)\n      Subject: \(subject)")
        }
        lines.forEach(write)
        return lines.count
    }

    /// The tokens configured certificate credentials obtained since the last call: each was asked for with a
    /// client assertion signed by the credential's key, and the token endpoint checked it against the certificate.
    private func certificateTokenLines(_ attempts: [String: TokenAttempt]) -> [String] {
        let fresh = attempts.filter { $0.value.outcome == .success && $0.value.id.map { !seenTokenAttempts.contains($0) } ?? false }
        guard !fresh.isEmpty else { return [] }
        let certificates = ((try? store.credentials()) ?? []).filter { $0.credential.type == .certificate && $0.credential.source == .config }
        var lines: [String] = []
        for record in certificates.sorted(by: { $0.name < $1.name }) {
            guard let attempt = fresh[record.name], let id = attempt.id else { continue }
            seenTokenAttempts.insert(id)
            lines.append("  token for \(record.name) obtained with a client assertion signed by its certificate "
                         + "(SHA-1 thumbprint \(record.credential.thumbprint ?? "-")): no secret sent")
        }
        return lines
    }

    /// Discovery runs since the last call, then what each one decided of the secrets configured credentials read.
    private func discoveryLines() -> [String] {
        var lines: [String] = []
        for run in ((try? store.discoveryRuns(limit: 100)) ?? []).reversed() where (run.id ?? 0) > lastDiscoveryRunId {
            lastDiscoveryRunId = max(lastDiscoveryRunId, run.id ?? 0)
            switch run.outcome {
            case .success:
                let pages = run.pages ?? 0
                lines.append("  tenant \(run.tenant) discovered through Microsoft Graph: \(run.applications ?? 0) applications, "
                             + "\(run.credentials ?? 0) secrets and certificates now watched (\(pages) page\(pages == 1 ? "" : "s"), "
                             + "\(Int((run.duration * 1000).rounded())) ms)")
            case .failure:
                lines.append("  discovery of tenant \(run.tenant) failed: \(run.reason ?? "unknown") — \(run.detail ?? "")")
            }
        }
        let records = (try? store.read { try $0.credentialsWithSecretInUse() }) ?? []
        for record in records.sorted(by: { $0.name < $1.name }) {
            guard let inUse = record.secretInUse, let key = Self.secretInUseKey(record), seenSecretInUse.insert(key).inserted else { continue }
            switch inUse.state {
            case .matched:
                let configured = record.configuredExpiresAt.map { ", configured secret_expires \(Timestamps.day($0))" } ?? ""
                lines.append("  \(record.name) reads secret \(inUse.keyId ?? "-") of its app in Entra (found by its hint): "
                             + "Entra says it expires on \(inUse.expiresAt.map(Timestamps.day) ?? "-")\(configured)")
                if inUse.rotationInProgress, let created = inUse.newerSecretCreatedAt {
                    lines.append("  rotation in progress for \(record.name): a new secret created on \(Timestamps.day(created)) is not deployed yet")
                }
            case .ambiguous:
                lines.append("  \(record.name): several secrets of its app in Entra share the hint of the secret it reads")
            case .notInEntra, .appNotFound:
                lines.append("  \(record.name): the secret it reads is not among its app's secrets in Entra (\(inUse.state.rawValue))")
            }
        }
        return lines
    }

    /// One line per credential and discovery pass (`decidedAt` is the pass's start).
    private static func secretInUseKey(_ record: CredentialRecord) -> String? {
        record.secretInUse.map { "\(record.name)\u{1}\($0.decidedAt.timeIntervalSince1970)" }
    }

    /// The Subject header of an .eml file, RFC 2047 words left as they are.
    static func subject(of path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data.prefix(16_384), as: UTF8.self)
        var subject: String?
        for line in text.components(separatedBy: "\r\n").flatMap({ $0.components(separatedBy: "\n") }) {
            if line.isEmpty { break }
            if let current = subject, line.hasPrefix(" ") || line.hasPrefix("\t") {
                subject = current + " " + line.trimmingSpaces
            } else if subject != nil {
                break
            } else if line.lowercased().hasPrefix("subject:") {
                subject = String(line.dropFirst(8)).trimmingSpaces
            }
        }
        return subject.map(decodeEncodedWords)
    }

    /// Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) for display; whitespace between two
    /// encoded words is dropped, as the RFC says.
    static func decodeEncodedWords(_ text: String) -> String {
        var out = ""
        var previousWasEncoded = false
        for token in text.split(separator: " ", omittingEmptySubsequences: true) {
            let parts = token.split(separator: "?", omittingEmptySubsequences: false)
            if parts.count == 5, parts[0] == "=", parts[4] == "=", parts[1].uppercased() == "UTF-8" {
                var decoded: String?
                switch parts[2].uppercased() {
                case "B": decoded = Data(base64Encoded: String(parts[3])).map { String(decoding: $0, as: UTF8.self) }
                case "Q":
                    var bytes: [UInt8] = []
                    var chars = Array(parts[3].utf8)[...]
                    while let c = chars.popFirst() {
                        if c == UInt8(ascii: "_") { bytes.append(0x20) }
                        else if c == UInt8(ascii: "="), chars.count >= 2, let v = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) {
                            bytes.append(v); chars = chars.dropFirst(2)
                        } else { bytes.append(c) }
                    }
                    decoded = String(decoding: bytes, as: UTF8.self)
                default: break
                }
                if let decoded {
                    out += (previousWasEncoded || out.isEmpty ? "" : " ") + decoded
                    previousWasEncoded = true
                    continue
                }
            }
            out += (out.isEmpty ? "" : " ") + token
            previousWasEncoded = false
        }
        return out
    }
}
