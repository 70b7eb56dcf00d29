import Foundation
import Synchronization

extension SMTPSession {
    /// `MAIL FROM:<address> [params]`: only after TLS and AUTH, only as the authenticated mailbox, only within
    /// the mailbox's concurrent-session cap.
    func mail(_ argument: String) throws {
        guard greeted else { return try reply(replies.sendHelloFirst) }
        guard connection.isTLS, let mailbox else { return try reply(replies.notAuthenticated()) }
        guard sender == nil else { return try reply(replies.senderAlreadySpecified) }
        guard let (address, parameters) = Self.path(argument, keyword: "FROM:") else { return try reply(replies.syntax) }
        if let size = parameters["SIZE"].flatMap(Int.init), size > configuration.maxMessageBytes {
            return try reply(replies.tooBig)
        }
        switch behaviour {
        case .sendAsDenied: return try reply(replies.sendAsDenied())
        case .concurrencyLimit: return try reply(replies.threadLimit())
        case .temporaryFailure: return try reply(replies.temporary())
        default: break
        }
        if !holdsSlot { holdsSlot = state.acquireSlot(mailbox) }
        guard holdsSlot else { return try reply(replies.threadLimit()) }
        guard address.lowercased() == mailbox else { return try reply(replies.sendAsDenied()) }
        sender = address
        try reply(replies.senderOK)
    }

    /// `RCPT TO:<address>`: `550 5.1.10` for the configured unknown recipients, others accepted.
    func recipient(_ argument: String) throws {
        guard connection.isTLS, mailbox != nil else { return try reply(replies.notAuthenticated()) }
        guard sender != nil else { return try reply(replies.needMail) }
        guard let (address, _) = Self.path(argument, keyword: "TO:") else { return try reply(replies.syntax) }
        guard !state.isUnknownRecipient(address) else { return try reply(replies.recipientNotFound(address)) }
        recipients.append(address)
        try reply(replies.recipientOK)
    }

    /// `DATA`: reads the message to the lone `.` line, dot-unstuffs it and keeps every byte otherwise; then
    /// queues it (`.eml` file, after the accept delay) or gives the behaviour's failure. False when the client left mid-message.
    func data() throws -> Bool {
        guard connection.isTLS, let mailbox else { try reply(replies.notAuthenticated()); return true }
        guard let sender else { try reply(replies.needMail); return true }
        guard !recipients.isEmpty else { try reply(replies.needRecipient); return true }
        try reply(replies.startInput)
        var message = Data()
        var tooBig = false
        while true {
            guard var line = try connection.readRawLine() else { return false }
            if line == [0x2E, 0x0D, 0x0A] || line == [0x2E, 0x0A] { break }
            if line.first == 0x2E { line.removeFirst() }
            if message.count + line.count > configuration.maxMessageBytes { tooBig = true } else { message.append(contentsOf: line) }
        }
        defer { resetTransaction() }
        if tooBig { try reply(replies.tooBig); return true }
        switch behaviour {
        case .sendAsDeniedAfterData:
            try reply(replies.sendAsDeniedAfterData(mailbox: mailbox, from: sender)); return true
        case .quotaExceeded:
            try reply(replies.quotaExceeded()); return true
        default:
            break
        }
        // Exchange takes a while to queue a message; the client may be gone by then, and the message still counts
        // as accepted (as at Exchange), which is how a sender killed mid-send comes to send a message twice.
        let delay = state.acceptDelay
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        let sequence = drop.number()
        let messageId = MailDrop.messageId(in: message) ?? "\(sequence).\(UUID().uuidString)@\(configuration.hostName)"
        let file = try drop.write(message, sequence: sequence, messageId: messageId)
        state.accepted(AcceptedMessage(sequence: sequence, mailbox: mailbox, mailFrom: sender, recipients: recipients,
                                       messageId: messageId, data: message, file: file))
        try reply(replies.queued(messageId: messageId))
        return true
    }

    /// `FROM:<a@b> SIZE=12 BODY=8BITMIME` → `("a@b", ["SIZE": "12", "BODY": "8BITMIME"])`; nil when malformed.
    static func path(_ argument: String, keyword: String) -> (String, [String: String])? {
        guard argument.uppercased().hasPrefix(keyword) else { return nil }
        let rest = argument.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") else { return nil }
        let address = String(rest[rest.index(after: rest.startIndex)..<close])
        var parameters: [String: String] = [:]
        for word in rest[rest.index(after: close)...].split(separator: " ") {
            let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
            parameters[pair[0].uppercased()] = pair.count > 1 ? pair[1] : ""
        }
        return (address, parameters)
    }
}

/// Numbers accepted messages and writes each as an `.eml` file: `000042-<Message-ID>.eml`, so the order of
/// acceptance and the Message-ID are both visible in a directory listing. Numbering continues after the highest
/// number already in the directory, so a reused directory never loses a file. Files appear whole (written to a
/// temporary name, then renamed).
final class MailDrop: Sendable {
    let directory: String?
    private let next: Mutex<Int>

    init(directory: String?) throws {
        self.directory = directory
        var first = 1
        if let directory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            let numbers = names.filter { $0.hasSuffix(".eml") }.compactMap { Int($0.prefix { $0.isNumber }) }
            first = (numbers.max() ?? 0) + 1
        }
        next = Mutex(first)
    }

    /// The next sequence number.
    func number() -> Int { next.withLock { n in defer { n += 1 }; return n } }

    /// Writes the message; returns the file's path (nil without a directory).
    func write(_ data: Data, sequence: Int, messageId: String) throws -> String? {
        guard let directory else { return nil }
        let path = "\(directory)/\(String(format: "%06d", sequence))-\(Self.fileSafe(messageId)).eml"
        let temporary = "\(directory)/.\(sequence).\(UUID().uuidString).tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            let error = StandInError.posix("rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
        return path
    }

    /// The Message-ID header's value without angle brackets (folded headers unfolded); nil when there is none.
    static func messageId(in data: Data) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n").first ?? text
        let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: " ")
        for line in unfolded.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("message-id:") {
            let value = line.dropFirst("message-id:".count).trimmingCharacters(in: .whitespaces)
            let bare = value.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            return bare.isEmpty ? nil : bare
        }
        return nil
    }

    /// Letters, digits and `.@_+-` kept, anything else `_`, at most 100 characters.
    static func fileSafe(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@_+-")
        return String(String(text.map { allowed.contains($0) ? $0 : "_" }).prefix(100))
    }
}
