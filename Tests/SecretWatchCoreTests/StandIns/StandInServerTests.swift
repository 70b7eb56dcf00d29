import Foundation
import Synchronization
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore
import SecretWatchCurl

/// The stand-in machinery the mailer's Exchange stand-in will build on: a plaintext conversation upgraded to TLS
/// in place (STARTTLS), driven by libcurl's real SMTP client.
@Suite("Stand-in server")
struct StandInServerTests {
    final class Transcript: Sendable {
        let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
    }

    @Test func plaintextConversationUpgradesToTLS() async throws {
        let pki = try ThrowawayPKI()
        defer { pki.remove() }
        let ca = try pki.makeAuthority(named: "smtp-ca")
        let context = try TLSServerContext(identity: try pki.issue(named: "smtp", by: ca, for: ["127.0.0.1"]))
        let transcript = Transcript()
        let server = try StandInServer { connection in
            try connection.write("220 stand-in ESMTP ready\r\n")
            while let line = try connection.readLine() {
                transcript.add((connection.isTLS ? "tls " : "plain ") + line)
                switch line.uppercased() {
                case let l where l.hasPrefix("EHLO"):
                    try connection.write(connection.isTLS ? "250-stand-in\r\n250 AUTH XOAUTH2\r\n" : "250-stand-in\r\n250 STARTTLS\r\n")
                case "STARTTLS":
                    try connection.write("220 2.0.0 SMTP server ready\r\n")
                    try connection.startTLS(context)
                case "QUIT":
                    try connection.write("221 2.0.0 bye\r\n")
                    return
                default:
                    try connection.write("502 5.5.2 not here\r\n")
                }
            }
        }
        defer { server.stop() }
        let response = try await BlockingExecutor.run {
            let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
            try easy.set([.url("smtp://127.0.0.1:\(server.port)"), .requireTLS, .caFile(ca.certificatePath),
                          .connectOnly, .connectTimeout(5), .timeout(10), .proxy("")])
            return easy.perform()
        }
        #expect(response.ok, "\(response.errorText)")
        let lines = transcript.lines.withLock { $0 }
        #expect(lines.count >= 3, "\(lines)")
        #expect(lines.prefix(3).map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == ["plain EHLO", "plain STARTTLS", "tls EHLO"])
        #expect(server.handshakeFailures.isEmpty)
    }

    @Test func stopEndsBlockedConnectionsAndFreesThePort() throws {
        let server = try StandInServer { connection in
            _ = try connection.readLine() // blocks: the client below never sends a line
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(server.port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(rc == 0)
        while server.connectionCount == 0 { Thread.sleep(forTimeInterval: 0.005) }
        server.stop() // returns only when the handler thread has ended
        var buffer = [UInt8](repeating: 0, count: 1)
        #expect(recv(fd, &buffer, 1, 0) == 0) // the server side is closed
    }
}
