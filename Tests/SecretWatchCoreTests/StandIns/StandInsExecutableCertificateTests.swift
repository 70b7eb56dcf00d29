import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore
import SecretWatchCurl

/// Certificates through the built `secretwatch-standins`: `--registered-certificate` uploads a certificate to the
/// app (an assertion signed by its key gets a token, one signed by another certificate's key AADSTS700027), and
/// `--make-app-certificate` mints the pairs the demo uses.
@Suite("secretwatch-standins executable: certificates")
struct StandInsExecutableCertificateTests {
    static let client = "4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e25"

    /// Runs the executable to completion (bounded) and returns its status, stdout and stderr.
    static func runToEnd(_ arguments: [String]) async throws -> ProcessOutput {
        try await runProcess(try StandInsExecutableTests.executable, arguments)
    }

    @Test func aRegisteredCertificateGetsATokenAndAnUnregisteredOneAADSTS700027() async throws {
        let pki = try ThrowawayPKI()
        defer { pki.remove() }
        let registered = try pki.makeAppCertificate(named: "registered")
        let other = try pki.makeAppCertificate(named: "not-uploaded")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try StandInsExecutableTests.executable)
        process.arguments = ["--registered-certificate", registered.certificatePath, "--mail-dir", pki.directory + "/mail"]
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let out = try process.runExclusively { () -> Pipe in
            let out = Pipe()
            process.standardOutput = out
            return out
        }
        // A safety bound, not an assertion: a hung child is killed so the suite cannot hang or leak it.
        let watchdog = DispatchWorkItem { if !process.hasEnded { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        defer {
            watchdog.cancel()
            process.end(grace: 0)
        }
        let line = try #require(await StandInsExecutableTests.firstLine(of: out.fileHandleForReading), "no JSON line on stdout")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let caFile = try #require(json["ca_file"] as? String)
        let endpoint = try #require(json["token_endpoint"] as? String).replacingOccurrences(of: "{tenant}", with: "contoso")

        func request(signedBy identity: ThrowawayPKI.Identity) async throws -> CurlResponse {
            let assertion = try ClientAssertion.make(clientId: Self.client, tokenEndpoint: endpoint,
                                                     certificate: try X509Certificate(pemFile: identity.certificatePath),
                                                     key: try PrivateKey(pemFile: identity.keyPath), now: Date())
            let body = "grant_type=client_credentials&client_id=\(Self.client)&scope=https%3A%2F%2Foutlook.office365.com%2F.default"
                + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=\(assertion)"
            return try await BlockingExecutor.run {
                let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
                try easy.set([.url(endpoint), .caFile(caFile), .proxy(""), .timeout(10),
                              .post(body: body, headers: ["Content-Type: application/x-www-form-urlencoded"])])
                return easy.perform()
            }
        }
        let good = try await request(signedBy: registered)
        let goodBody = String(decoding: good.body, as: UTF8.self)
        #expect(good.responseCode == 200, "\(goodBody)")
        #expect((try JSONSerialization.jsonObject(with: good.body) as? [String: Any])?["access_token"] is String, "\(goodBody)")

        let refused = try await request(signedBy: other)
        let refusedBody = String(decoding: refused.body, as: UTF8.self)
        #expect(refused.responseCode == 401, "\(refusedBody)")
        #expect(refusedBody.contains("AADSTS700027"), "\(refusedBody)")
        // A PS256 assertion names its certificate by x5t#S256 only: the refusal names that thumbprint.
        let thumbprint = try X509Certificate(pemFile: other.certificatePath).sha256Thumbprint
        #expect(refusedBody.contains(thumbprint), "the refusal names the thumbprint of the certificate used: \(refusedBody)")

        kill(process.processIdentifier, SIGTERM)

        #expect(try await process.ending() == .exit(0))
    }

    @Test func anUnreadableRegisteredCertificateStopsTheStandInsWithItsPath() async throws {
        let dir = TemporaryDirectory("standins-registered")
        let missing = dir.file("nowhere.crt")
        let result = try await Self.runToEnd(["--registered-certificate", missing])
        #expect(result.status != 0)
        #expect(result.stderr.contains(missing), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "no description line: nothing started")
    }

    @Test func makeAppCertificateMintsEachPairIntoDirAndExits() async throws {
        let dir = TemporaryDirectory("standins-mint")
        let result = try await Self.runToEnd(["--dir", dir.path, "--make-app-certificate", "year=365",
                                              "--make-app-certificate", "soon=5"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let made = try #require(json["app_certificates"] as? [[String: String]])
        #expect(made.map { $0["name"] } == ["year", "soon"])
        let now = Date()
        for (name, days) in [("year", 365.0), ("soon", 5.0)] {
            let entry = try #require(made.first { $0["name"] == name })
            #expect(entry["certificate_file"] == dir.file("\(name).crt") && entry["key_file"] == dir.file("\(name).key"))
            let certificate = try X509Certificate(pemFile: dir.file("\(name).crt"))
            #expect(abs(certificate.notAfter.timeIntervalSince(now) - days * 86_400) < 3_600, "\(certificate)")
            let key = try PrivateKey(pemFile: dir.file("\(name).key"))
            try key.checkMatches(certificate)
            #expect(SecretReader.mode(ofFile: dir.file("\(name).key")) == 0o600)
        }
    }

    @Test func makeAppCertificateRefusesAMalformedRequestOrAMissingDir() async throws {
        let dir = TemporaryDirectory("standins-mint")
        let malformed = try await Self.runToEnd(["--dir", dir.path, "--make-app-certificate", "../escape=5"])
        #expect(malformed.status != 0)
        #expect(malformed.stderr.contains("--make-app-certificate must be NAME=DAYS"), "\(malformed.stderr)")
        let noDays = try await Self.runToEnd(["--dir", dir.path, "--make-app-certificate", "soon"])
        #expect(noDays.stderr.contains("--make-app-certificate must be NAME=DAYS"), "\(noDays.stderr)")
        let noDir = try await Self.runToEnd(["--make-app-certificate", "soon=5"])
        #expect(noDir.status != 0)
        #expect(noDir.stderr.contains("--make-app-certificate needs --dir"), "\(noDir.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
