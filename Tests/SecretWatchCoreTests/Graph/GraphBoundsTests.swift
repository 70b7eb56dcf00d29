import Foundation
import Testing
@testable import SecretWatchCore

/// The bounds of a Graph listing come from `ConfigDefaults`, and docs/discovery.md states each with its value.
@Suite("Graph bounds")
struct GraphBoundsTests {
    @Test func settingsTakeTheirBoundsFromConfigDefaults() {
        let s = GraphEndpointSettings(credential: "smtp", tenantId: "t", clientId: "c")
        #expect(s.timeout == ConfigDefaults.graphTimeout && s.pageSize == ConfigDefaults.graphPageSize)
        #expect(s.maxPages == ConfigDefaults.graphMaxPages && s.maxPageBytes == ConfigDefaults.graphMaxPageBytes)
        #expect(s.maxTotalBytes == ConfigDefaults.graphMaxTotalBytes)
        #expect(s.baseURL == ConfigDefaults.graphEndpoint && s.scope == ConfigDefaults.graphScope)
        #expect(s.applicationsURL.hasSuffix("&$top=\(ConfigDefaults.graphPageSize)"))
    }

    @Test(arguments: [
        ("graphTimeout", "60 s", ConfigDefaults.graphTimeout == 60),
        ("graphPageSize", "999", ConfigDefaults.graphPageSize == 999),
        ("graphMaxPages", "200", ConfigDefaults.graphMaxPages == 200),
        ("graphMaxPageBytes", "32 MiB", ConfigDefaults.graphMaxPageBytes == 32 * 1024 * 1024),
        ("graphMaxTotalBytes", "512 MiB", ConfigDefaults.graphMaxTotalBytes == 512 * 1024 * 1024),
    ])
    func discoveryDocStatesEachBound(name: String, value: String, matches: Bool) throws {
        #expect(matches, "ConfigDefaults.\(name) is not \(value)")
        let doc = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/discovery.md"), encoding: .utf8)
        let start = try #require(doc.range(of: "### Bounds\n"), "docs/discovery.md has no Bounds section")
        let section = doc[start.upperBound...].prefix { $0 != "#" }
        let row = try #require(section.split(separator: "\n").first { $0.contains("`ConfigDefaults.\(name)`") }, "no row for \(name)")
        #expect(row.contains("| \(value) |"), "\(row)")
    }
}
