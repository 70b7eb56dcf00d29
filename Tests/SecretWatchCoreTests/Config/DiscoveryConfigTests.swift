import Foundation
import Testing
@testable import SecretWatchCore

/// The `discovery:` section as valid configurations write it: defaults, the SMTP app as reader, national clouds,
/// filters. Invalid ones are the `invalid-discovery-*` fixtures of ConfigLoaderTests.
@Suite struct DiscoveryConfigTests {
    func load(_ discovery: String, environment: [String: String] = [:]) throws -> Config {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "smtp-secret-value\n", mode: 0o600)
        try dir.write("graph-secret.txt", "graph-secret-value\n", mode: 0o600)
        let path = try dir.write("c.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date.utc("2027-05-31T00:00:00Z"),
                                                          extra: discovery))
        return try ConfigLoader(environment: environment).load(path: path).config
    }

    @Test("without the section there is no discovery")
    func absent() throws {
        #expect(try load("").discovery == nil)
    }

    @Test("one tenant with its own secret file gets every documented default")
    func defaults() throws {
        let config = try load("""
            discovery:
              tenants:
                - tenant_id: Contoso.onmicrosoft.com
                  client_id: \(TestConfig.otherClient.uppercased())
                  client_secret_file: graph-secret.txt
            """)
        let discovery = try #require(config.discovery)
        #expect(discovery.interval == 3600)
        #expect(discovery.graphEndpoint == "https://graph.microsoft.com")
        #expect(!discovery.includeServicePrincipals)
        let tenant = try #require(discovery.tenants.first)
        #expect(tenant.name == "contoso.onmicrosoft.com")
        #expect(tenant.tenantId == "contoso.onmicrosoft.com")
        #expect(tenant.clientId == TestConfig.otherClient)
        #expect(tenant.scope == "https://graph.microsoft.com/.default")
        #expect(tenant.resolvedTokenEndpoint == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
        #expect(tenant.filter.keepsEverything)
        guard case .source(.file(let file)) = tenant.secret else { Issue.record("secret \(tenant.secret)"); return }
        #expect(file.hasSuffix("/graph-secret.txt"))
    }

    @Test("use_smtp_credential takes the SMTP app's tenant, client id, secret and token endpoint")
    func smtpCredential() throws {
        let config = try load("""
            discovery:
              interval: 6h
              include_service_principals: true
              tenants:
                - name: contoso
                  use_smtp_credential: true
                - name: contoso-again
                  tenant_id: \(TestConfig.tenant)
                  client_id: \(TestConfig.client)
                  use_smtp_credential: yes
            """)
        let discovery = try #require(config.discovery)
        #expect(discovery.interval == 6 * 3600)
        #expect(discovery.includeServicePrincipals)
        for tenant in discovery.tenants {
            #expect(tenant.secret == .smtpCredential)
            #expect(tenant.tenantId == TestConfig.tenant && tenant.clientId == TestConfig.client)
            #expect(tenant.tokenEndpoint == TestConfig.refusingTokenEndpoint)
        }
        #expect(discovery.tenants.map(\.name) == ["contoso", "contoso-again"])
    }

    @Test("a national cloud's Graph endpoint brings its own default scope; an explicit scope wins")
    func nationalClouds() throws {
        let config = try load("""
            discovery:
              graph_endpoint: https://graph.microsoft.us/
              tenants:
                - tenant_id: fabrikam.onmicrosoft.us
                  client_id: \(TestConfig.otherClient)
                  client_secret_env: GRAPH_SECRET
                  token_endpoint: https://login.microsoftonline.us/{tenant}/oauth2/v2.0/token
                - tenant_id: \(TestConfig.tenant)
                  client_id: \(TestConfig.otherClient)
                  client_secret_env: GRAPH_SECRET
                  scope: https://dod-graph.microsoft.us/.default
            """, environment: ["GRAPH_SECRET": "graph-secret-value"])
        let discovery = try #require(config.discovery)
        #expect(discovery.graphEndpoint == "https://graph.microsoft.us")
        #expect(discovery.tenants[0].scope == "https://graph.microsoft.us/.default")
        #expect(discovery.tenants[0].resolvedTokenEndpoint == "https://login.microsoftonline.us/fabrikam.onmicrosoft.us/oauth2/v2.0/token")
        #expect(discovery.tenants[0].secret == .source(.environment("GRAPH_SECRET")))
        #expect(discovery.tenants[1].scope == "https://dod-graph.microsoft.us/.default")
        #expect(ConfigDefaults.graphScope(for: "https://microsoftgraph.chinacloudapi.cn") == "https://microsoftgraph.chinacloudapi.cn/.default")
        #expect(ConfigDefaults.graphScope(for: "https://127.0.0.1:8443/graph") == "https://127.0.0.1:8443/.default")
    }

    @Test("the filters are read into the tenant's DiscoveryFilter")
    func filters() throws {
        let config = try load("""
            discovery:
              tenants:
                - use_smtp_credential: true
                  include_app_ids: [\(TestConfig.client.uppercased()), \(TestConfig.otherClient)]
                  exclude_app_ids: [\(TestConfig.otherClient)]
                  include_names: ["ISE-*", "mail ?"]
                  exclude_names: ["* (test)"]
                  include_tags: [Mail]
                  exclude_tags: [HideApp]
            """)
        let filter = try #require(config.discovery?.tenants.first?.filter)
        #expect(filter == DiscoveryFilter(includeAppIds: [TestConfig.client, TestConfig.otherClient], excludeAppIds: [TestConfig.otherClient],
                                          includeNames: [NameGlob("ISE-*"), NameGlob("mail ?")], excludeNames: [NameGlob("* (test)")],
                                          includeTags: ["mail"], excludeTags: ["hideapp"]))
        #expect(filter.admits(appId: TestConfig.client, displayName: "ise-smtp", tags: ["MAIL"]))
        #expect(!filter.admits(appId: TestConfig.otherClient, displayName: "ise-smtp", tags: ["MAIL"]))
    }

    @Test("the commented-out discovery section of examples/secretwatch.yml loads once uncommented")
    func example() throws {
        let path = TestPaths.packageRoot.appendingPathComponent("examples/secretwatch.yml").path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix("# discovery:") })
        let section = lines[start...].filter { $0.hasPrefix("# ") }.map { $0.dropFirst(2) }.joined(separator: "\n")
        let dir = TemporaryDirectory()
        let file = try dir.write("c.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date.utc("2027-05-31T00:00:00Z"), extra: section))
        // The example's secret file does not exist here: the secret check is not what this test is about.
        let discovery = try #require(try ConfigLoader(environment: [:], checkSecrets: false).load(path: file).config.discovery)
        #expect(discovery.tenants.map(\.name) == ["contoso", "fabrikam"])
        #expect(discovery.tenants[0].secret == .smtpCredential)
        #expect(discovery.tenants[1].secret == .source(.file("/etc/secretwatch/fabrikam-graph-secret")))
    }

    @Test("the bounds: 1000 tenants and 1000 filter entries load")
    func upperBounds() throws {
        let tenants = (1..<ConfigBounds.maxDiscoveryTenants).map { "    - {name: t\($0), use_smtp_credential: true}" }
        let names = (0..<ConfigBounds.maxDiscoveryFilterEntries).map { "\"app-\($0)-*\"" }.joined(separator: ", ")
        let last = "    - {name: last, use_smtp_credential: true, include_names: [\(names)]}"
        let config = try load((["discovery:", "  tenants:"] + tenants + [last]).joined(separator: "\n"))
        #expect(config.discovery?.tenants.count == ConfigBounds.maxDiscoveryTenants)
        #expect(config.discovery?.tenants.last?.filter.includeNames?.count == ConfigBounds.maxDiscoveryFilterEntries)
    }
}
