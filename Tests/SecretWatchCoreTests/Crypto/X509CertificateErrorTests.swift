import Foundation
import Testing
import SecretWatchCrypto

/// What is not a certificate gets an error naming the file, with a stable reason and OpenSSL's own words.
@Suite("X509Certificate errors")
struct X509CertificateErrorTests {
    @Test func garbageIsNotACertificate() async throws {
        let m = try await CryptoMaterial.shared()
        let error = #expect(throws: CryptoError.self) { try X509Certificate(pemFile: m.garbage) }
        #expect(error?.reason == "certificate_invalid")
        #expect(error?.message == "\"\(m.garbage)\": no PEM certificate (\"-----BEGIN CERTIFICATE-----\") found")
        #expect(error?.openSSLError?.contains("no start line") == true, "OpenSSL's reason: \(error?.openSSLError ?? "none")")
    }

    @Test func aKeyFileIsNotACertificate() async throws {
        let m = try await CryptoMaterial.shared()
        let error = #expect(throws: CryptoError.self) { try X509Certificate.all(inPEMFile: m.key) }
        #expect(error?.reason == "certificate_invalid")
    }

    @Test func aDamagedCertificateInABundleIsAnErrorNotAShorterList() async throws {
        let m = try await CryptoMaterial.shared()
        let good = try String(contentsOfFile: m.certificate, encoding: .utf8)
        var lines = good.split(separator: "\n").map(String.init)
        lines[3] = String(repeating: "A", count: lines[3].count)
        let damaged = good + lines.joined(separator: "\n") + "\n"
        let error = #expect(throws: CryptoError.self) { try X509Certificate.all(inPEM: Data(damaged.utf8), source: "the CA file") }
        #expect(error?.reason == "certificate_invalid")
        #expect(error?.message == "the CA file: certificate 2 cannot be read")
        #expect(error?.openSSLError != nil)
    }

    @Test func derThatIsNotACertificateOrHasTrailingBytesIsRefused() async throws {
        let m = try await CryptoMaterial.shared()
        let der = try Data(contentsOf: URL(fileURLWithPath: m.certificateDER))
        for bad in [Data("not DER".utf8), der + Data([0]), der.prefix(der.count - 1)] {
            let error = #expect(throws: CryptoError.self) { try X509Certificate(der: bad) }
            #expect(error?.reason == "certificate_invalid")
            #expect(error?.message == "DER data: not a DER-encoded X.509 certificate")
        }
    }

    @Test func aMissingFileADirectoryAndAnEmptyFileAreUnreadable() async throws {
        let m = try await CryptoMaterial.shared()
        let empty = m.file("empty-\(UUID().uuidString).pem")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let cases = [
            (m.file("missing.pem"), "cannot read \"\(m.file("missing.pem"))\": No such file or directory"),
            (m.directory, "cannot read \"\(m.directory)\": it is a directory"),
            (empty, "cannot read \"\(empty)\": the file is empty"),
        ]
        for (path, message) in cases {
            let error = #expect(throws: CryptoError.self) { try X509Certificate(pemFile: path) }
            #expect(error?.reason == "file_unreadable")
            #expect(error?.description == message)
        }
    }

    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() async throws {
        let m = try await CryptoMaterial.shared()
        let fifo = m.file("fifo-\(UUID().uuidString)")
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: fifo) }
        let error = #expect(throws: CryptoError.self) { try PrivateKey(pemFile: fifo) }
        #expect(error?.description == "cannot read \"\(fifo)\": it is not a regular file")
    }
}
