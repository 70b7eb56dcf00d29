import Foundation
import Testing
@testable import SecretWatchCore

@Suite("docs/troubleshooting.md")
struct TroubleshootingDocTests {
    static var document: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("docs/troubleshooting.md"), encoding: .utf8)
        }
    }

    @Test(arguments: TokenFailureReason.allCases)
    func everyTokenReasonIsDocumentedWithItsMessageAndFix(reason: TokenFailureReason) throws {
        let doc = try Self.document
        let heading = try #require(doc.range(of: "### `\(reason.rawValue)`\n"), "no section for \(reason.rawValue)")
        let section = doc[heading.upperBound...].prefix { $0 != "#" }
        #expect(section.contains("- **Message:** \(reason.message)\n"))
        #expect(section.contains("- **Fix:** \(reason.fix)\n"))
        #expect(section.contains("- **Recognised by:** \(reason.signature)\n"))
    }

    @Test func reasonsAreUniqueAndSnakeCase() {
        let names = TokenFailureReason.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" } })
        var codes: [Int] = []
        for reason in TokenFailureReason.allCases { codes += reason.aadstsCodes }
        #expect(Set(codes).count == codes.count, "an AADSTS code maps to two reasons")
    }
}
