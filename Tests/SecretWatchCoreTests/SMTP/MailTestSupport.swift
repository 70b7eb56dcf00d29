import Foundation
@testable import SecretWatchCore
@testable import SecretWatchCurl

enum MailTestSupport {
    static let tenant = "0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91"
    static let client = "5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a"
    static let admins = ["admin1@contoso.example", "admin2@contoso.example"]

    static func smtpConfig(host: String = "localhost", port: Int, tls: TLSMode = .starttls, caFile: String?,
                           mailbox: String = "sender@contoso.example", connectTimeout: TimeInterval = 10) -> SMTPConfig {
        SMTPConfig(host: host, port: port, tls: tls, connectTimeout: connectTimeout, timeout: 30, caFile: caFile, proxy: nil,
                   auth: OAuthCredentialConfig(name: "smtp", displayName: "Mail app", mailbox: mailbox, tenantId: tenant,
                                               clientId: client, secret: .environment("UNUSED_IN_TESTS"),
                                               secretExpires: Date(timeIntervalSince1970: 1_900_000_000),
                                               tokenEndpoint: ConfigDefaults.tokenEndpoint,
                                               scope: ConfigDefaults.scope))
    }

    static func notifications(includeSystem: Bool = true) -> NotificationsConfig {
        NotificationsConfig(from: "sender@contoso.example", to: admins, includeSystemAlarms: includeSystem)
    }

    /// A store in a fresh temporary file (or at `path`), with the SMTP credential synced.
    static func store(smtp: SMTPConfig? = nil, now: Date = Date(), extra: [Credential] = [], path: String? = nil) throws -> Store {
        let path = path ?? FileManager.default.temporaryDirectory.appendingPathComponent("secretwatch-mail-\(UUID().uuidString).db").path
        let store = try Store(path: path, now: now)
        let credential = (smtp ?? smtpConfig(port: 1, caFile: nil)).auth.credential
        try store.syncCredentials([credential] + extra, now: now)
        return store
    }

    static func message(from: String = "sender@contoso.example", to: [String] = ["admin1@contoso.example"],
                        subject: String = "test", body: String = "hello\n", date: Date = Date()) -> MailMessage {
        MailMessage(from: from, to: to, subject: subject, body: body, date: date)
    }

    /// Polls `condition` (real time, bounded) — for waiting on other processes and tasks, never to assert timing.
    static func eventually(_ what: String, timeout: TimeInterval = Patience.seconds, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw TestFailure("timed out waiting for: \(what)")
    }

    /// A TCP port nothing listens on (bound, read, closed).
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension CurlResponse {
    /// An SMTP transfer as libcurl would report it, from a recorded dialogue.
    static func smtp(code: CurlCode, errorText: String = "", trace: [(CurlResponse.TraceLine.Kind, String)]) -> CurlResponse {
        CurlResponse(code: code, codeText: "", errorText: errorText, responseCode: 0, body: Data(), headerLines: [],
                     responseTooLarge: false, connected: true, totalTime: 0, connectTime: 0,
                     trace: trace.enumerated().map { .init(kind: $0.element.0, text: $0.element.1, at: Double($0.offset)) })
    }
}
