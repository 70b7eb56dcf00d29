import Foundation
import Synchronization

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
