import Foundation
import Testing
@testable import SecretWatchCore

/// scripts/build-deb.sh (make deb): the package's control fields, its files and their modes, the unit pointed at
/// the packaged binary, the man page and completions, and lintian's verdict. It packages the debug build the
/// tests already have (so CI builds no second, release binary); that build finds the Swift runtime through its
/// RUNPATH, which is the one thing it differs in from the release package.
@Suite struct DebianPackageTests {
    static let script = repositoryRoot.appendingPathComponent("scripts/build-deb.sh").path
    static let dpkgDeb = "/usr/bin/dpkg-deb"

    /// The package built from the debug binary, and its files extracted.
    final class Built: @unchecked Sendable {
        let output = TemporaryDirectory("secretwatch-deb")
        let deb: String
        let tree: TemporaryDirectory

        init() async throws {
            let result = try await runProgram("/bin/bash", [DebianPackageTests.script, "--binary", TestPaths.executable,
                                                            "--output", output.path, "--compression", "gzip",
                                                            "--allow-unpackaged-libraries"], timeout: 600)
            try #require(result.status == 0, "build-deb.sh failed: \(result.output)")
            deb = try #require(result.output.split(separator: "\n").last.map(String.init))
            tree = TemporaryDirectory("secretwatch-deb-tree")
            let extract = try await runProgram(DebianPackageTests.dpkgDeb, ["-x", deb, tree.path])
            try #require(extract.status == 0, "\(extract.output)")
        }

        func field(_ name: String) async throws -> String {
            let result = try await runProgram(DebianPackageTests.dpkgDeb, ["--field", deb, name])
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func file(_ path: String) throws -> String {
            try String(contentsOfFile: tree.file(path), encoding: .utf8)
        }
    }

    static let available = FileManager.default.isExecutableFile(atPath: dpkgDeb)
    static let lintian = "/usr/bin/lintian"

    /// One package build (about 10 s) checked from every side; its files are removed when the test ends.
    @Test(.enabled(if: available, "dpkg-deb is not installed (Debian package dpkg)"))
    func packageOfTheDebugBuild() async throws {
        let package = try await Built()
        try await controlFields(package)
        try await filesAndModes(package)
        try unitRunsThePackagedBinary(package)
        try await manPageAndCompletionsNameEveryCommand(package)
        if FileManager.default.isExecutableFile(atPath: Self.lintian) {
            try await lintianFindsNoError(package)
        } else {
            print("DebianPackageTests: lintian is not installed (scripts/install-deps.sh test installs it); lintian not run")
        }
    }

    func controlFields(_ package: Built) async throws {
        #expect(try await package.field("Package") == "secretwatch")
        let version = try await runProgram(TestPaths.executable, ["--version"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await package.field("Version") == version)
        let arch = try await runProgram("/usr/bin/dpkg", ["--print-architecture"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await package.field("Architecture") == arch)
        #expect(try await package.field("Section") == "admin")
        let depends = Set(try await package.field("Depends").components(separatedBy: ", "))
        for library in ["libcurl4", "libsqlite3-0", "libmicrohttpd12", "zlib1g", "libssl3", "libyaml-0-2", "libc6", "adduser"] {
            #expect(depends.contains(library), "Depends lacks \(library): \(depends.sorted())")
        }
        #expect(!depends.contains { $0.hasSuffix("-dev") }, "Depends names a -dev package: \(depends.sorted())")
        #expect(try await package.field("Maintainer").contains("<"))
    }

    func filesAndModes(_ package: Built) async throws {
        let listing = try await runProgram(Self.dpkgDeb, ["--contents", package.deb]).output
        var entries: [String: (mode: String, owner: String)] = [:]
        for line in listing.split(separator: "\n") {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count >= 6 else { continue }
            entries[String(columns[5])] = (String(columns[0]), String(columns[1]))
        }
        let expected: [String: String] = [
            "./usr/bin/secretwatch": "-rwxr-xr-x",
            "./lib/systemd/system/secretwatch.service": "-rw-r--r--",
            "./usr/share/doc/secretwatch/examples/secretwatch.yml": "-rw-r--r--",
            "./usr/share/doc/secretwatch/copyright": "-rw-r--r--",
            "./usr/share/doc/secretwatch/changelog.gz": "-rw-r--r--",
            "./usr/share/doc/secretwatch/README.md": "-rw-r--r--",
            // Where the shipped alert rules' runbook_url points.
            "./" + AlertRules.defaultRunbookBase.dropFirst("file:///".count): "-rw-r--r--",
            "./usr/share/man/man1/secretwatch.1.gz": "-rw-r--r--",
            "./usr/share/bash-completion/completions/secretwatch": "-rw-r--r--",
            "./usr/share/zsh/vendor-completions/_secretwatch": "-rw-r--r--",
            "./usr/share/fish/vendor_completions.d/secretwatch.fish": "-rw-r--r--",
        ]
        for (path, mode) in expected {
            #expect(entries[path]?.mode == mode, "\(path): \(entries[path].map { "\($0.mode) \($0.owner)" } ?? "missing")")
        }
        for (path, entry) in entries {
            #expect(entry.owner == "root/root", "\(path) is owned by \(entry.owner)")
            #expect(!path.hasPrefix("./etc/") && !path.hasPrefix("./usr/local/"), "\(path): the package ships no configuration and nothing under /usr/local")
        }
        // Stripped: no symbol table left.
        let sections = try await runProgram("/usr/bin/readelf", ["-S", package.tree.file("usr/bin/secretwatch")]).output
        #expect(!sections.contains(".symtab"), "the packaged binary is not stripped")
    }

    func unitRunsThePackagedBinary(_ package: Built) throws {
        let unit = try package.file("lib/systemd/system/secretwatch.service")
        #expect(unit.contains("ExecStart=/usr/bin/secretwatch run"))
        #expect(!unit.contains("/usr/local/bin"), "the packaged unit still names /usr/local/bin")
    }

    func manPageAndCompletionsNameEveryCommand(_ package: Built) async throws {
        let page = try await runProgram("/bin/gzip", ["-dc", package.tree.file("usr/share/man/man1/secretwatch.1.gz")]).output
        #expect(page.hasPrefix(".TH SECRETWATCH 1 "))
        let bash = try package.file("usr/share/bash-completion/completions/secretwatch")
        #expect(!bash.hasPrefix("#!"), "bash-completion files carry no #! line")
        for command in ["run", "check", "status", "alarms", "ack", "send-test", "demo", "discover", "backup"] {
            #expect(page.contains(".SS secretwatch \(command)"), "the man page lacks \(command)")
            #expect(bash.contains(command), "the bash completion lacks \(command)")
        }
        #expect(page.contains("\\fB\\-\\-force\\fR"), "backup's --force is missing from the man page")
        #expect(page.unicodeScalars.allSatisfy { $0.isASCII }, "the man page is not plain ASCII")
    }

    func lintianFindsNoError(_ package: Built) async throws {
        // The debug build's RUNPATH to the Swift toolchain is what the release build (Swift runtime linked in) lacks.
        let result = try await runProgram(Self.lintian, ["--suppress-tags", "custom-library-search-path", package.deb], timeout: 600)
        let errors = result.output.split(separator: "\n").filter { $0.hasPrefix("E: ") }
        #expect(errors.isEmpty, "\(result.output)")
        #expect(!result.output.contains("W: "), "\(result.output)")
    }
}
