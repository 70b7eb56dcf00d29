import Foundation
import Testing

/// scripts/install-deps.sh: each mode lists only what its task needs, each package with its purpose, and a
/// service is only ever stopped for a package the run itself installs. Read through `--dry-run`, which
/// installs nothing.
@Suite struct InstallDepsTests {
    static let script = repositoryRoot.appendingPathComponent("scripts/install-deps.sh").path
    static let testPeers = ["prometheus", "prometheus-alertmanager", "python3-aiosmtpd", "dovecot-core", "dovecot-submissiond", "wrk", "lintian"]

    struct Line {
        var package: String
        var state: String
        var why: String
    }

    static func plan(_ mode: String) async throws -> (lines: [Line], stops: [String]) {
        let result = try await runProgram("/bin/bash", [script, "--dry-run", mode])
        #expect(result.status == 0, "\(result.output)")
        var lines: [Line] = []
        var stops: [String] = []
        for text in result.output.split(separator: "\n").map(String.init) {
            if text.hasPrefix("would stop") { stops.append(text); continue }
            let state = text.contains(" would install ") ? "would install" : "present"
            let parts = text.components(separatedBy: " \(state) ")
            try #require(parts.count == 2, "unexpected plan line: \(text)")
            lines.append(Line(package: parts[0].trimmingCharacters(in: .whitespaces), state: state,
                              why: parts[1].trimmingCharacters(in: .whitespaces)))
        }
        return (lines, stops)
    }

    @Test func buildModeHoldsNoTestPeer() async throws {
        let packages = try await Self.plan("build").lines.map(\.package)
        #expect(packages.contains("libcurl4-openssl-dev"))
        #expect(packages.contains("libmicrohttpd-dev"))
        #expect(packages.contains("libyaml-dev"))
        for peer in Self.testPeers {
            #expect(!packages.contains(peer), "build mode installs \(peer)")
        }
    }

    @Test func testModeHoldsBuildAndTheTestPeers() async throws {
        let packages = Set(try await Self.plan("test").lines.map(\.package))
        let build = Set(try await Self.plan("build").lines.map(\.package))
        #expect(build.isSubset(of: packages))
        for peer in ["prometheus", "prometheus-alertmanager", "python3-aiosmtpd", "dovecot-core", "dovecot-submissiond", "lintian", "binutils"] {
            #expect(packages.contains(peer), "test mode lacks \(peer)")
        }
    }

    @Test(arguments: ["build", "demo", "deb", "test", "bench"])
    func everyPackageSaysWhatItIsFor(mode: String) async throws {
        let lines = try await Self.plan(mode).lines
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.why.count > 10, "\(line.package) in \(mode) mode has no purpose")
        }
    }

    /// A service is stopped only after this run installs its package: a package already present never is.
    @Test(arguments: ["test", "bench"])
    func presentPackagesKeepTheirServices(mode: String) async throws {
        let plan = try await Self.plan(mode)
        for line in plan.lines where line.state == "present" {
            #expect(!plan.stops.contains { $0.hasSuffix("after installing \(line.package) (this run installs it)") },
                    "would stop the service of \(line.package), which the machine already has")
        }
    }

    @Test func unknownModeIsAUsageError() async throws {
        let result = try await runProgram("/bin/bash", [Self.script, "--dry-run", "everything"])
        #expect(result.status == 2)
        #expect(result.output.contains("usage:"))
    }
}
