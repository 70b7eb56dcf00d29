import Foundation
import Testing

/// The boundaries docs/architecture.md draws, checked on the source tree: each C library has one importer, the
/// infrastructure targets know no domain code, and SQL stays in the store.
@Suite struct ArchitectureTests {
    struct SourceFile {
        let path: String
        let text: String
        var imports: [String] {
            text.split(separator: "\n").compactMap { line in
                let words = line.split(separator: " ")
                guard let at = words.firstIndex(of: "import"), at <= 2, words.count > at + 1 else { return nil }
                guard words[..<at].allSatisfy({ ["public", "internal", "@preconcurrency", "@testable"].contains($0) }) else { return nil }
                return String(words[at + 1])
            }
        }
    }

    static let sources: [SourceFile] = {
        let root = repositoryRoot.appendingPathComponent("Sources")
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [SourceFile] = []
        while let url = walker?.nextObject() as? URL {
            guard url.pathExtension == "swift", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            files.append(SourceFile(path: String(url.path.dropFirst(root.path.count + 1)), text: text))
        }
        return files.sorted { $0.path < $1.path }
    }()

    /// Infrastructure target folder → the C module it alone imports.
    static let infrastructure = [
        "SQLite/": "CSecretWatchSQLite", "Curl/": "CSecretWatchCurl", "HTTPServer/": "CSecretWatchMicroHTTPD",
        "Exposition/": "CSecretWatchZlib", "Crypto/": "CSecretWatchOpenSSL",
    ]

    @Test func theSourceTreeIsRead() {
        #expect(Self.sources.count > 50, "found \(Self.sources.count) Swift files under Sources")
        #expect(Self.sources.contains { $0.path == "SecretWatchCore/Store/Store.swift" })
    }

    @Test func eachCLibraryIsImportedOnlyByItsInfrastructureTarget() {
        for (folder, module) in Self.infrastructure {
            let importers = Self.sources.filter { $0.imports.contains(module) }.map(\.path)
            #expect(!importers.isEmpty, "nothing imports \(module)")
            #expect(importers.allSatisfy { $0.hasPrefix(folder) }, "\(module) imported outside \(folder): \(importers)")
        }
    }

    @Test func infrastructureTargetsImportNoDomainCode() {
        let allowed: Set = ["FoundationEssentials", "Dispatch", "Glibc", "Logging", "Synchronization"]
        for file in Self.sources {
            guard let (_, module) = Self.infrastructure.first(where: { file.path.hasPrefix($0.key) }) else { continue }
            let foreign = file.imports.filter { !allowed.contains($0) && $0 != module }
            #expect(foreign.isEmpty, "\(file.path) imports \(foreign)")
            for word in ["Redactor", "Alarm", "Credential", "Token", "SecretWatchCore"] {
                #expect(!file.text.contains(word), "\(file.path) names the domain's \(word)")
            }
        }
    }

    @Test func onlyTheStoreImportsSQLiteAndWritesSQL() {
        let statement = try! Regex(#""\s*(SELECT |INSERT INTO |DELETE FROM |UPDATE [a-z_]+ SET )"#)
        for file in Self.sources where !file.path.hasPrefix("SQLite/") && !file.path.hasPrefix("SecretWatchCore/Store/") {
            #expect(!file.imports.contains("SecretWatchSQLite"), "\(file.path) imports SecretWatchSQLite")
            #expect(!file.text.contains("SQLiteConnection"), "\(file.path) names SQLiteConnection")
            #expect(!file.text.contains(statement), "\(file.path) holds SQL")
        }
    }

    @Test func noSourceFileIsOverFourHundredLines() {
        for file in Self.sources {
            let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(lines <= 400, "\(file.path) has \(lines) lines")
        }
    }
}
