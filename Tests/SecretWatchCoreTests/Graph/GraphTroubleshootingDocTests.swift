import Foundation
import Testing
@testable import SecretWatchCore

@Suite("docs/troubleshooting.md: Graph reasons")
struct GraphTroubleshootingDocTests {
    /// The "## Graph reasons" section (the network reasons share their names with the token section).
    static var section: Substring {
        get throws {
            let doc = try TroubleshootingDocTests.document
            let start = try #require(doc.range(of: "## Graph reasons\n"), "no Graph reasons section")
            let rest = doc[start.upperBound...]
            return rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        }
    }

    @Test(arguments: GraphFailureReason.allCases)
    func everyGraphReasonIsDocumentedWithItsMessageAndFix(reason: GraphFailureReason) throws {
        let doc = try Self.section
        let heading = try #require(doc.range(of: "### `\(reason.rawValue)`\n"), "no section for \(reason.rawValue)")
        let section = doc[heading.upperBound...].prefix { $0 != "#" }
        #expect(section.contains("- **Message:** \(reason.message)\n"))
        #expect(section.contains("- **Fix:** \(reason.fix)\n"))
        #expect(section.contains("- **Recognised by:** \(reason.signature)\n"))
        #expect(section.contains(reason.transient ? "- **Transient:** yes" : "- **Transient:** no"))
    }

    @Test func reasonsAreUniqueAndSnakeCase() {
        let names = GraphFailureReason.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" } })
    }
}
