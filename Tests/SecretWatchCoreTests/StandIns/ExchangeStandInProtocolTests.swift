import Foundation
import Testing
import SecretWatchStandIns

/// The Exchange stand-in's plaintext side, spoken by hand over a socket: what it answers before TLS, and that
/// pipelined commands are answered in order.
@Suite("Exchange stand-in plaintext protocol")
struct ExchangeStandInProtocolTests {
    /// Sends `text` at once, then reads everything until the server closes.
    static func converse(port: Int, _ text: String) throws -> [String] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw TestFailure("connect failed: errno \(errno)") }
        let bytes = Array(text.utf8)
        #expect(send(fd, bytes, bytes.count, 0) == bytes.count)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { break }
            received += chunk[..<n]
        }
        return String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test func beforeTLSThereIsNoAuthAndNoMail() throws {
        let fixture = try ExchangeFixture()
        defer { fixture.shutdown() }
        let blob = Data("user=\(ExchangeFixture.mailbox)\u{01}auth=Bearer x\u{01}\u{01}".utf8).base64EncodedString()
        let lines = try Self.converse(port: fixture.exchange.port,
                                      "MAIL FROM:<\(ExchangeFixture.mailbox)>\r\nEHLO client\r\nAUTH XOAUTH2 \(blob)\r\n" +
                                      "MAIL FROM:<\(ExchangeFixture.mailbox)>\r\nRCPT TO:<ops@contoso.example>\r\nDATA\r\nNOOP\r\nRSET\r\nVRFY x\r\nQUIT\r\n")
        #expect(lines.count == 17, "\(lines)")
        guard lines.count == 17 else { return }
        #expect(lines[0].hasPrefix("220 exchange-standin.secretwatch.invalid Microsoft ESMTP MAIL Service ready at "))
        #expect(lines[1] == "503 5.5.2 Send hello first")
        #expect(Array(lines[2...8]) == ["250-exchange-standin.secretwatch.invalid Hello [127.0.0.1]", "250-SIZE 37748736",
                                       "250-PIPELINING", "250-ENHANCEDSTATUSCODES", "250-STARTTLS", "250-8BITMIME", "250 SMTPUTF8"])
        #expect(lines[9] == "504 5.7.4 Unrecognized authentication type")
        #expect(lines[10].hasPrefix("530 5.7.57 Client not authenticated to send mail. [exchange-standin.secretwatch.invalid "))
        #expect(lines[11].hasPrefix("530 5.7.57 "))
        #expect(lines[12].hasPrefix("530 5.7.57 "))
        #expect(Array(lines[13...]) == ["250 2.0.0 OK", "250 2.0.0 Resetting", "500 5.3.3 Unrecognized command 'VRFY'",
                                       "221 2.0.0 Service closing transmission channel"])
        #expect(fixture.exchange.counters.authSuccesses == 0)
    }
}
