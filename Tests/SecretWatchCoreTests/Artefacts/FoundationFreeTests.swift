import Foundation
import Testing

/// The `secretwatch` executable is built without Foundation's ICU-backed modules (FoundationEssentials, the
/// standard library, Glibc and Dispatch instead): the source folders of every target linked into it import none
/// of them, no package dependency does, and the binary links no ICU.
@Suite struct FoundationFreeTests {
    /// The source folders (under Sources/) of the targets linked into the `secretwatch` executable, and of
    /// `secretwatch-bench` (the daemon `make bench-metrics` measures, whose memory must be the shipped one's).
    static let executableFolders = ["SQLite/", "Curl/", "HTTPServer/", "Exposition/", "Crypto/", "YAML/", "SecretWatchCore/", "secretwatch/",
                                    "secretwatch-bench/"]

    /// Foundation's modules that bring ICU with them (FoundationEssentials does not).
    static let icuModules: Set = ["Foundation", "FoundationInternationalization", "FoundationNetworking", "FoundationXML"]

    /// Package dependencies allowed to import Foundation: none.
    static let knownFoundationDependencies: Set<String> = []

    /// The modules a Swift source imports (`import X`, `@preconcurrency import X`, `import struct X.Y`, `import X.Y`).
    static func importedModules(_ text: String) -> [String] {
        let attributes: Set = ["public", "internal", "package", "private", "fileprivate", "@preconcurrency", "@testable", "@_exported",
                               "@_implementationOnly"]
        let kinds: Set = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"]
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let at = words.firstIndex(of: "import"), words[..<at].allSatisfy({ attributes.contains(String($0)) }) else { return nil }
            let rest = words[(at + 1)...].drop { kinds.contains(String($0)) }
            return rest.first.map { String($0.split(separator: ".")[0]) }
        }
    }

    /// The packages the graph resolves to now (Package.resolved's pins): a checkout left in .build by an earlier
    /// resolution is not a dependency.
    static let resolvedPackages: Set<String> = {
        guard let data = FileManager.default.contents(atPath: repositoryRoot.appendingPathComponent("Package.resolved").path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let pins = object["pins"] as? [[String: Any]] else { return [] }
        return Set(pins.compactMap { ($0["identity"] as? String)?.lowercased() })
    }()

    /// Each dependency checkout (under .build/checkouts) → its sources that import an ICU-backed Foundation module
    /// on Linux (a file that imports FoundationEssentials where it can is not one).
    static let dependencyImporters: [String: [String]] = {
        let checkouts = repositoryRoot.appendingPathComponent(".build/checkouts")
        var importers: [String: [String]] = [:]
        for package in (try? FileManager.default.contentsOfDirectory(atPath: checkouts.path)) ?? []
        where resolvedPackages.isEmpty || resolvedPackages.contains(package.lowercased()) {
            let sources = checkouts.appendingPathComponent(package).appendingPathComponent("Sources")
            let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
            while let url = walker?.nextObject() as? URL {
                guard url.pathExtension == "swift", let text = try? String(contentsOf: url, encoding: .utf8),
                      !text.contains("canImport(FoundationEssentials)"),
                      importedModules(text).contains(where: icuModules.contains) else { continue }
                importers[package, default: []].append(String(url.path.dropFirst(sources.path.count + 1)))
            }
        }
        return importers
    }()

    static let checkoutsPresent = FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(".build/checkouts").path)

    @Test func importsAreRead() {
        #expect(Self.importedModules("import Foundation\n@preconcurrency import Dispatch\nimport struct FoundationXML.XMLNode\n  import Glibc")
                == ["Foundation", "Dispatch", "FoundationXML", "Glibc"])
        #expect(Self.importedModules("// import Foundation\nlet important = 1").isEmpty)
    }

    @Test func noTargetOfTheExecutableImportsFoundation() {
        let files = ArchitectureTests.sources.filter { file in Self.executableFolders.contains { file.path.hasPrefix($0) } }
        #expect(files.count > 100, "found \(files.count) Swift files in the executable's targets")
        for file in files {
            let foundation = Self.importedModules(file.text).filter(Self.icuModules.contains)
            #expect(foundation.isEmpty, "Sources/\(file.path) imports \(foundation): use FoundationEssentials, the standard library, Glibc or Dispatch")
        }
    }

    @Test(.enabled(if: checkoutsPresent, "no .build/checkouts: the package was resolved elsewhere (--scratch-path)"))
    func noDependencyImportsFoundation() {
        let unexpected = Self.dependencyImporters.filter { !Self.knownFoundationDependencies.contains($0.key) }
        #expect(unexpected.isEmpty, "dependencies importing Foundation (and so ICU) into the binary: \(unexpected)")
    }

    /// The built binaries: no shared Foundation or ICU library needed, no ICU symbol linked in statically
    /// (`make release` links the Swift libraries statically).
    @Test(.enabled(if: checkoutsPresent && dependencyImporters.isEmpty,
                   "a dependency imports Foundation, which links ICU into the binary (noDependencyImportsFoundation names it)"))
    func theBinaryLinksNoICU() async throws {
        let binaries = [TestPaths.executable, repositoryRoot.appendingPathComponent(".build/release/secretwatch").path]
            .filter { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(!binaries.isEmpty, "no secretwatch binary built")
        for binary in binaries {
            let needed = try await runProgram("/bin/sh", ["-c", #"readelf -d "$1" | grep NEEDED"#, "sh", binary])
            let foundation = needed.output.split(separator: "\n").filter { line in
                Self.icuModules.contains { line.contains("[lib\($0).so") } || line.lowercased().contains("icu")
            }
            #expect(foundation.isEmpty, "\(binary) needs \(foundation)")
            let symbols = try await runProgram("/bin/sh", ["-c", #"nm --defined-only "$1" | grep -E 'icu_[0-9]+' | head -5"#, "sh", binary])
            #expect(symbols.output.isEmpty, "\(binary) holds ICU symbols: \(symbols.output)")
        }
    }
}
