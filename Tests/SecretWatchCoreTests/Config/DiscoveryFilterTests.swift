import Testing
@testable import SecretWatchCore

/// Which applications a tenant's filters keep: every include list that is set must match, any exclude match drops.
@Suite struct DiscoveryFilterTests {
    static let ise = "5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a"
    static let portal = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

    @Test("no list set keeps every application")
    func empty() {
        let filter = DiscoveryFilter()
        #expect(filter.keepsEverything)
        #expect(filter.admits(appId: Self.ise, displayName: "anything", tags: []))
    }

    @Test("include_app_ids keeps only the listed apps, compared without regard to case")
    func includeIds() {
        let filter = DiscoveryFilter(includeAppIds: [Self.ise.uppercased()])
        #expect(!filter.keepsEverything)
        #expect(filter.admits(appId: Self.ise, displayName: "ISE", tags: []))
        #expect(!filter.admits(appId: Self.portal, displayName: "ISE", tags: []))
    }

    @Test("include lists of different kinds must all match")
    func includesCombine() {
        let filter = DiscoveryFilter(includeNames: [NameGlob("ISE-*")], includeTags: ["Mail"])
        #expect(filter.admits(appId: Self.ise, displayName: "ise-smtp", tags: ["mail", "prod"]))
        #expect(!filter.admits(appId: Self.ise, displayName: "ise-smtp", tags: ["prod"]))
        #expect(!filter.admits(appId: Self.ise, displayName: "portal", tags: ["mail"]))
    }

    @Test("an exclude match drops the app even when an include keeps it")
    func excludeWins() {
        let filter = DiscoveryFilter(excludeAppIds: [Self.portal], includeNames: [NameGlob("*")],
                                     excludeNames: [NameGlob("* (test)")], excludeTags: ["HiddenApp"])
        #expect(filter.admits(appId: Self.ise, displayName: "ISE", tags: []))
        #expect(!filter.admits(appId: Self.portal, displayName: "ISE", tags: []))
        #expect(!filter.admits(appId: Self.ise, displayName: "ISE (TEST)", tags: []))
        #expect(!filter.admits(appId: Self.ise, displayName: "ISE", tags: ["hiddenapp"]))
    }
}
