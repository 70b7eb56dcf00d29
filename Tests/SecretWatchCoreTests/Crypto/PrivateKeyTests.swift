import Foundation
import Testing
import SecretWatchCrypto

/// `PrivateKey` loads unencrypted RSA keys in both PEM forms, tells its certificate from another, and refuses
/// every other key file with a clear error that holds no byte of the key.
@Suite("PrivateKey")
struct PrivateKeyTests {
    @Test func pkcs8AndTraditionalKeysLoadAndMatchTheirCertificate() async throws {
        let m = try await CryptoMaterial.shared()
        let certificate = try X509Certificate(pemFile: m.certificate)
        for path in [m.key, m.traditionalKey] {
            let key = try PrivateKey(pemFile: path)
            #expect(key.bits == 2048)
            #expect(key.matches(certificate))
            try key.checkMatches(certificate)
            #expect(key.description == "RSA 2048-bit private key from \"\(path)\"")
        }
        #expect(try PrivateKey(pemFile: m.key).matches(X509Certificate(pemFile: m.expiredCertificate)), "same key, other certificate")
    }

    @Test func oneFileHoldingTheKeyAndTheCertificateServesAsBoth() async throws {
        let m = try await CryptoMaterial.shared()
        let key = try String(contentsOfFile: m.key, encoding: .utf8), pem = try String(contentsOfFile: m.certificate, encoding: .utf8)
        for text in [key + pem, pem + key] {
            let combined = m.file("combined-\(UUID().uuidString).pem")
            try text.write(toFile: combined, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: combined) }
            let certificate = try X509Certificate(pemFile: combined)
            #expect(certificate == (try X509Certificate(pemFile: m.certificate)))
            #expect(try X509Certificate.all(inPEMFile: combined).count == 1)
            #expect(try PrivateKey(pemFile: combined).matches(certificate))
        }
    }

    @Test func aKeyOfAnotherCertificateIsAMismatchNamingTheThumbprint() async throws {
        let m = try await CryptoMaterial.shared()
        let certificate = try X509Certificate(pemFile: m.certificate)
        let other = try PrivateKey(pemFile: m.otherKey)
        #expect(!other.matches(certificate))
        #expect(!other.matches(try X509Certificate(pemFile: m.ecCertificate)))
        let error = #expect(throws: CryptoError.self) { try other.checkMatches(certificate) }
        #expect(error?.reason == "key_certificate_mismatch")
        #expect(error?.description == "\"\(m.otherKey)\" is not the private key of the certificate "
            + "\"C = DE, O = \"Contoso, Ltd\", L = Zürich, CN = secretwatch assertion test\" (SHA-1 thumbprint \(certificate.sha1Thumbprint)): "
            + "use the key the certificate was made from")
    }

    @Test func anEncryptedKeyIsRefusedWithoutAPrompt() async throws {
        let m = try await CryptoMaterial.shared()
        for path in [m.encryptedKey, m.encryptedTraditionalKey] {
            let error = #expect(throws: CryptoError.self) { try PrivateKey(pemFile: path) }
            #expect(error?.reason == "key_encrypted")
            #expect(error?.description == "\"\(path)\": the key is encrypted: secretwatch needs an unencrypted key file (mode 0600)")
        }
    }

    @Test func anECKeyIsRefusedByItsType() async throws {
        let m = try await CryptoMaterial.shared()
        let error = #expect(throws: CryptoError.self) { try PrivateKey(pemFile: m.ecKey) }
        #expect(error?.reason == "key_type_unsupported")
        #expect(error?.description == "\"\(m.ecKey)\": the key is EC, not RSA: secretwatch signs with RSA keys only (RS256, PS256)")
    }

    @Test func garbageAndACertificateAreNotKeys() async throws {
        let m = try await CryptoMaterial.shared()
        for path in [m.garbage, m.certificate] {
            let error = #expect(throws: CryptoError.self) { try PrivateKey(pemFile: path) }
            #expect(error?.reason == "key_invalid")
            #expect(error?.message == "\"\(path)\": no unencrypted PEM private key (\"-----BEGIN PRIVATE KEY-----\" or "
                + "\"-----BEGIN RSA PRIVATE KEY-----\") found")
        }
    }

    @Test func anUnreadableKeyFileSaysWhy() async throws {
        let m = try await CryptoMaterial.shared()
        let path = m.file("unreadable-\(UUID().uuidString).pem")
        try FileManager.default.copyItem(atPath: m.key, toPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
        let readable = FileManager.default.isReadableFile(atPath: path)   // root reads it anyway
        let missing = #expect(throws: CryptoError.self) { try PrivateKey(pemFile: m.file("absent.pem")) }
        #expect(missing?.reason == "file_unreadable")
        #expect(missing?.description == "cannot read \"\(m.file("absent.pem"))\": No such file or directory")
        if !readable {
            let error = #expect(throws: CryptoError.self) { try PrivateKey(pemFile: path) }
            #expect(error?.description == "cannot read \"\(path)\": Permission denied")
        }
    }

    @Test func noErrorOrDescriptionHoldsAnyOfTheKey() async throws {
        let m = try await CryptoMaterial.shared()
        let pem = try String(contentsOfFile: m.key, encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
        var texts = [try PrivateKey(pemFile: m.key).description]
        let other = try PrivateKey(pemFile: m.otherKey)
        do { try other.checkMatches(try X509Certificate(pemFile: m.certificate)) } catch { texts.append("\(error)") }
        // The key with one line damaged: OpenSSL's error text must not quote it either.
        var damaged = pem.split(separator: "\n").map(String.init)
        damaged[1] = String(repeating: "B", count: damaged[1].count)
        do { _ = try PrivateKey(pem: Array(damaged.joined(separator: "\n").utf8)) } catch { texts.append("\(error)") }
        #expect(texts.count == 3)
        for text in texts {
            for line in body { #expect(!text.contains(line.prefix(16)), "\(text)") }
        }
    }
}
