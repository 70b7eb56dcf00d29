import FoundationEssentials
internal import SecretWatchHTTPServer

/// Checks `Authorization: Bearer <token>` against the API token from `http.api_token_file`, in constant
/// time. No token configured means the write endpoints are disabled (403), never open.
public struct BearerAuth: Sendable {
    private let expected: [UInt8]?

    public init(token: String?) {
        expected = token.map { Array($0.utf8) }
    }

    /// Reads the token file: the first line, without surrounding white space, must be non-empty. The value
    /// is registered with the `Redactor` so that it can never reach a log or an answer.
    public static func load(path: String?) throws -> BearerAuth {
        guard let path else { return BearerAuth(token: nil) }
        let data: Data
        do {
            // A FIFO, device or socket is refused: reading one would block or never end.
            data = try RegularFile.read(path, limit: 64 * 1024)
        } catch {
            throw TokenFileError(path: path, detail: FileManager.default.fileExists(atPath: path)
                                 ? error.description : "the file does not exist or is not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenFileError(path: path, detail: "the file is not UTF-8 text")
        }
        let token = text.split(separator: "\n", omittingEmptySubsequences: false).first.map {
            $0.trimmingSpacesAndNewlines
        } ?? ""
        guard !token.isEmpty else { throw TokenFileError(path: path, detail: "the file is empty") }
        guard !token.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw TokenFileError(path: path, detail: "the token contains white space")
        }
        Redactor.shared.register(token)
        return BearerAuth(token: token)
    }

    /// nil when the request carries the right token; otherwise the answer to give (401 or 403).
    func check(_ request: HTTPRequest, action: String) -> APIError? {
        guard let expected else {
            return APIError(status: 403, message: "\(action) over HTTP is disabled: configure http.api_token_file")
        }
        let challenge = [(name: "WWW-Authenticate", value: #"Bearer realm="secretwatch""#)]
        guard let header = request.header("authorization") else {
            return APIError(status: 401, message: "\(action) needs an Authorization: Bearer <token> header", headers: challenge)
        }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            return APIError(status: 401, message: "malformed Authorization header: expected \"Bearer <token>\"", headers: challenge)
        }
        guard Self.constantTimeEqual(Array(parts[1].utf8), expected) else {
            return APIError(status: 403, message: "the API token is not valid")
        }
        return nil
    }

    /// Compares every byte of `expected` whatever the input, so the time taken does not tell how much of a
    /// guess was right.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for i in 0..<expected.count {
            difference |= expected[i] ^ (i < given.count ? given[i] : 0)
        }
        return difference == 0
    }
}

/// Why `http.api_token_file` cannot be used: the path and what is wrong with the file.
struct TokenFileError: Error, Sendable, CustomStringConvertible {
    let path: String
    let detail: String

    var description: String { "cannot read http.api_token_file \(path): \(detail)" }
}
