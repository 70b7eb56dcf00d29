import Foundation
import Testing

/// deploy/secretwatch.service: sandboxed (systemd-analyze's exposure at most 2.0, checked wherever systemd-analyze
/// is installed), `Type=notify`, the secret as a systemd credential, reload by SIGHUP, documentation that is installed.
@Suite struct SystemdUnitTests {
    static let unitPath = repositoryRoot.appendingPathComponent("deploy/secretwatch.service").path
    static let analyzePath = "/usr/bin/systemd-analyze"

    static func settings() throws -> [(key: String, value: String)] {
        try String(contentsOfFile: unitPath, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.hasPrefix("[") && $0.contains("=") }
            .map { line in
                let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), String(parts[1]))
            }
    }

    static func value(_ key: String) throws -> [String] { try settings().filter { $0.key == key }.map(\.value) }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyzePath), "systemd-analyze is not installed"))
    func exposureIsAtMostTwo() async throws {
        let result = try await runProgram(Self.analyzePath, ["security", "--offline=yes", Self.unitPath])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(result.output)")
        let score = try #require(line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }, "\(line)")
        #expect(score <= 2.0, "\(result.output)")
    }

    @Test func hardeningOptionsAreSet() throws {
        for (key, value) in [("CapabilityBoundingSet", ""), ("ProtectClock", "yes"), ("ProtectKernelLogs", "yes"),
                             ("ProtectHostname", "yes"), ("ProtectProc", "invisible"), ("ProcSubset", "pid"),
                             ("RestrictSUIDSGID", "yes"), ("RestrictRealtime", "yes"), ("RemoveIPC", "yes"),
                             ("SystemCallFilter", "@system-service"), ("SystemCallArchitectures", "native"),
                             ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict")] {
            #expect(try Self.value(key).contains(value), "\(key)=\(value) missing")
        }
    }

    @Test func notifyCredentialReloadAndDocumentation() throws {
        #expect(try Self.value("Type") == ["notify"])
        #expect(try Self.value("LoadCredential") == ["smtp-secret:/etc/secretwatch/client-secret"])
        #expect(try Self.value("ExecReload") == ["/bin/kill -HUP $MAINPID"])
        let documentation = try Self.value("Documentation").joined(separator: " ").split(separator: " ")
        #expect(documentation.contains("man:secretwatch(1)"))
        // The credential name the configuration documents is the one the unit loads.
        let configuration = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        #expect(configuration.contains("client_secret_credential: smtp-secret"))
    }
}
