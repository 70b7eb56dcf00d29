import Foundation

/// Reads client secrets (and the API token) from their file or environment variable at the moment they are
/// needed. The value is registered with the `Redactor` before it is returned, so it can never reach a log line.
public enum SecretReader {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// File mode bits, when the file can be stat'ed.
    public static func mode(ofFile path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    public static func read(_ source: SecretSource, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let value: String
        switch source {
        case .file(let path):
            value = try readFile(path)
        case .environment(let name):
            guard let raw = environment[name], !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw Failure(description: "environment variable \"\(name)\" is not set or empty")
            }
            value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        Redactor.shared.register(value)
        return value
    }

    /// The file's content without its trailing newline; errors name the file and the system's reason. Only a
    /// regular file is read (a FIFO or a device is refused before anything is read from it).
    static func readFile(_ path: String) throws -> String {
        let data: Data
        do {
            data = try RegularFile.read(path, limit: 64 * 1024)
        } catch {
            throw Failure(description: error.isTooLarge ? "\(error.description): not a client secret file" : error.description)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(description: "\"\(path)\" is not UTF-8 text")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw Failure(description: "\"\(path)\" is empty")
        }
        guard !trimmed.contains(where: \.isNewline) else {
            throw Failure(description: "\"\(path)\" holds more than one line; it must hold only the secret value")
        }
        return trimmed
    }
}
