import Foundation
import Testing
@testable import SecretWatchCore
import SecretWatchCurl

/// The Graph stand-in's data in the `secretwatch-standins` executable: applications and service principals from
/// JSON files in Graph's shape, replaced through the control endpoint, and bad input refused naming the field.
@Suite("secretwatch-standins: Graph data")
struct StandInsGraphDataTests {
    static let apps = #"""
        [{"id": "obj-1", "appId": "app-1", "displayName": "Mail relay", "tags": ["managed-by-msp"],
          "passwordCredentials": [{"keyId": "k-1", "displayName": "2026", "hint": "Qx7", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00Z"}],
          "keyCredentials": [{"keyId": "k-2", "displayName": "CN=relay", "customKeyIdentifier": "52ED9B50", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00Z"}]},
         {"id": "obj-2", "appId": "app-2", "displayName": "Payroll"}]
        """#
    static let principals = #"{"value": [{"id": "sp-1", "appId": "app-9", "displayName": "SAML app", "tags": []}]}"#

    @Test func filesAreServedAndTheControlEndpointReplacesThem() async throws {
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Self.apps.write(toFile: work + "/apps.json", atomically: true, encoding: .utf8)
        try Self.principals.write(toFile: work + "/sps.json", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try StandInsExecutableTests.executable)
        process.arguments = ["--graph-applications-file", work + "/apps.json", "--graph-service-principals-file", work + "/sps.json",
                             "--mail-dir", work + "/mail"]
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let out = try process.runExclusively { () -> Pipe in
            let out = Pipe()
            process.standardOutput = out
            return out
        }
        defer { process.end(grace: 0) }
        let line = try #require(await StandInsExecutableTests.firstLine(of: out.fileHandleForReading), "no JSON line on stdout")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let control = try #require(json["control"] as? String)
        let graph = try #require(json["graph_base_url"] as? String)
        let endpoint = try #require(json["token_endpoint"] as? String)
        let caFile = try #require(json["ca_file"] as? String)

        let r = try await BlockingExecutor.run { () throws -> [CurlResponse] in
            func request(_ url: String, post body: String? = nil, bearer: String? = nil, ca: Bool = false) throws -> CurlResponse {
                let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
                var options: [CurlOption] = [.url(url), .proxy(""), .timeout(10)]
                if let body { options.append(.post(body: body, headers: ["Content-Type: application/json"])) }
                if let bearer { options.append(.httpHeaders(["Authorization: Bearer \(bearer)"])) }
                if ca { options.append(.caFile(caFile)) }
                try easy.set(options)
                return easy.perform()
            }
            let form = "grant_type=client_credentials&client_id=app&client_secret=x&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
            let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
            try easy.set([.url(endpoint.replacingOccurrences(of: "{tenant}", with: "contoso")), .caFile(caFile), .proxy(""), .timeout(10),
                          .post(body: form, headers: ["Content-Type: application/x-www-form-urlencoded"])])
            let issued = easy.perform()
            let bearer = ((try? JSONSerialization.jsonObject(with: issued.body)) as? [String: Any])?["access_token"] as? String ?? ""
            return [
                try request(control + "/status"),
                try request(graph + "/v1.0/applications", bearer: bearer, ca: true),
                try request(graph + "/v1.0/servicePrincipals", bearer: bearer, ca: true),
                try request(control + "/graph/applications", post: #"[{"id": "obj-3", "appId": "app-3", "displayName": "Only one"}]"#),
                try request(control + "/graph/applications", post: #"[{"id": "o", "appId": "a", "displayName": "d", "passwordCredentials": [{"keyId": "k", "startDateTime": "2026-01-10T08:00:00Z"}]}]"#),
                try request(control + "/graph/service-principals", post: #"{"count": 4}"#),
                try request(control + "/status"),
            ]
        }
        func object(_ response: CurlResponse) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        }
        #expect(object(r[0])["graph"] as? [String: Int] == ["requests": 0, "applications": 2, "service_principals": 1])
        let listed = try #require(object(r[1])["value"] as? [[String: Any]], "\(String(decoding: r[1].body, as: UTF8.self))")
        #expect(listed.map { $0["appId"] as? String } == ["app-1", "app-2"])
        #expect(listed.first?["tags"] as? [String] == ["managed-by-msp"])
        #expect((listed.first?["passwordCredentials"] as? [[String: Any]])?.first?["hint"] as? String == "Qx7")
        #expect((object(r[2])["value"] as? [[String: Any]])?.map { $0["displayName"] as? String } == ["SAML app"])
        #expect(r[3].responseCode == 200)
        #expect(r[4].responseCode == 400)
        #expect(object(r[4])["field"] as? String == "[0].passwordCredentials[0].endDateTime")
        #expect((object(r[4])["error"] as? String)?.contains("endDateTime: is missing") == true)
        #expect(r[5].responseCode == 200)
        #expect(object(r[6])["graph"] as? [String: Int] == ["requests": 2, "applications": 1, "service_principals": 4])

        kill(process.processIdentifier, SIGTERM)

        #expect(try await process.ending() == .exit(0))
    }

    @Test(arguments: [
        (#"[{"id": "o", "appId": "a", "displayName": "d", "tags": "prod"}]"#, ["--graph-applications-file"], "[0].tags: is not a list"),
        (#"[{"id": "o", "appId": "a", "displayName": "d"}]"#, ["--graph-applications", "5", "--graph-applications-file"],
         "give --graph-applications or --graph-applications-file, not both"),
        (#"{"value": [{"id": "o", "displayName": "d"}]}"#, ["--graph-service-principals-file"], "value[0].appId: is missing or empty"),
    ])
    func aBadFileStopsTheStartNamingTheField(content: String, flags: [String], message: String) async throws {
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        try content.write(toFile: work + "/apps.json", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try StandInsExecutableTests.executable)
        process.arguments = flags + [work + "/apps.json", "--mail-dir", work + "/mail"]
        process.standardInput = FileHandle.nullDevice
        let (out, err) = try process.runExclusively { () -> (Pipe, Pipe) in
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            return (out, err)
        }
        let (printed, errors) = (PipeCollector(out.fileHandleForReading), PipeCollector(err.fileHandleForReading))
        let ending = try await process.ending(within: 60)
        let (stdout, stderr) = (await printed.text(), await errors.text())
        #expect(!ending.isSignal && ending.status != 0, "\(ending)")
        #expect(stderr.contains(message), "\(stderr)")
        #expect(stdout.isEmpty)
    }

    static func workDirectory() throws -> String {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("standins-graph-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        return work
    }
}
