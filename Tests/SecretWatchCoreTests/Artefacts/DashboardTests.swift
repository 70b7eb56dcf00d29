import Foundation
import Testing
@testable import SecretWatchCore

/// dashboards/secretwatch.json: importable as-is into Grafana, variables for datasource, job, instance and
/// credential, every panel query scoped to the chosen job and instance and using only metrics the registry
/// exports, credential tables with display names, a build panel.
@Suite struct DashboardTests {
    static func dashboard() throws -> [String: Any] {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("dashboards/secretwatch.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "the dashboard is not a JSON object")
    }

    @Test func hasTheFieldsGrafanaNeeds() throws {
        let d = try Self.dashboard()
        #expect((d["title"] as? String)?.isEmpty == false)
        #expect((d["uid"] as? String)?.isEmpty == false)
        #expect(d["schemaVersion"] is Int)
        #expect(d["time"] is [String: Any])
        let variables = try #require((d["templating"] as? [String: Any])?["list"] as? [[String: Any]])
        #expect(variables.contains { $0["type"] as? String == "datasource" && $0["query"] as? String == "prometheus" && $0["name"] as? String == "datasource" })
        let credential = try #require(variables.first { $0["name"] as? String == "credential" })
        #expect(credential["type"] as? String == "query")
        let panels = try #require(d["panels"] as? [[String: Any]])
        #expect(panels.count >= 8)
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(ids.count == panels.count && Set(ids).count == ids.count, "panel ids missing or repeated")
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            #expect(!(panel["type"] as? String ?? "").isEmpty, "\(title): no type")
            let grid = try #require(panel["gridPos"] as? [String: Int], "\(title): no gridPos")
            #expect(["x", "y", "w", "h"].allSatisfy { grid[$0] != nil }, "\(title): incomplete gridPos")
            #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == "${datasource}", "\(title): not on the datasource variable")
            #expect(!((panel["targets"] as? [Any]) ?? []).isEmpty, "\(title): no query")
        }
    }

    @Test func showsWhatOnCallNeeds() throws {
        let titles = (try Self.dashboard()["panels"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        for needed in ["Days left per client secret", "Active alarms", "Token success ratio", "Token request latency",
                       "Mail sends by outcome and reason", "Outbox backlog", "Oldest queued message age", "Scheduler freshness",
                       "Database accepts writes", "Discovery health per tenant", "Discovery failures by reason",
                       "Expiry drift: configured vs Entra (days)", "Secret in use not in Entra", "Rotation pending (days)",
                       "Credentials by source and type"] {
            #expect(titles.contains(needed), "no panel \(needed)")
        }
        let daysLeft = (try Self.dashboard()["panels"] as? [[String: Any]])?.first { $0["title"] as? String == "Days left per client secret" }
        #expect(daysLeft?["type"] as? String == "table")
        let steps = ((((daysLeft?["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any])?["thresholds"] as? [String: Any])?["steps"] as? [[String: Any]]) ?? []
        #expect(steps.count >= 3, "days-left table has no coloured thresholds")
    }

    static let scope = #"job=~"$job",instance=~"$instance""#

    @Test func everyMetricSelectorIsScopedToTheChosenJobAndInstance() throws {
        let d = try Self.dashboard()
        let variables = ((d["templating"] as? [String: Any])?["list"] as? [[String: Any]]) ?? []
        for name in ["job", "instance"] {
            let variable = try #require(variables.first { $0["name"] as? String == name }, "no \(name) variable")
            #expect(variable["type"] as? String == "query" && variable["multi"] as? Bool == true)
        }
        let panels = d["panels"] as? [[String: Any]] ?? []
        for panel in panels {
            for expr in (panel["targets"] as? [[String: Any]] ?? []).compactMap({ $0["expr"] as? String }) {
                let selectors = expr.components(separatedBy: "secretwatch_").count - 1 + expr.components(separatedBy: "process_").count - 1
                let scoped = expr.components(separatedBy: Self.scope).count - 1
                #expect(selectors == scoped, "\(panel["title"] ?? "?"): \(expr) has a selector without the job and instance variables")
            }
        }
    }

    @Test func credentialTablesShowDisplayNamesAndABuildPanelExists() throws {
        let panels = try Self.dashboard()["panels"] as? [[String: Any]] ?? []
        func exprs(_ title: String) -> [String] {
            (panels.first { $0["title"] as? String == title }?["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
        for title in ["Days left per client secret", "Rotation pending (days)", "Secret in use not in Entra"] {
            #expect(exprs(title).first?.contains("group_left (display_name) secretwatch_credential_info") == true, "\(title) has no display names")
        }
        #expect(exprs("Build and configuration per instance").contains { $0.hasPrefix("secretwatch_build_info{") })
    }

    @Test func everyQueryUsesOnlyExportedMetrics() throws {
        let exported = MetricCatalog.sampleNames
        let panels = try Self.dashboard()["panels"] as? [[String: Any]] ?? []
        var queries = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        let variables = ((try Self.dashboard()["templating"] as? [String: Any])?["list"] as? [[String: Any]]) ?? []
        queries += variables.compactMap { $0["definition"] as? String }
        #expect(queries.count >= 10)
        for query in queries {
            let used = metricNames(in: query)
            #expect(!used.isEmpty, "\(query) uses no secretwatch metric")
            #expect(used.subtracting(exported).isEmpty, "\(query) uses unknown metrics \(used.subtracting(exported).sorted())")
        }
    }

    @Test func metricNameExtraction() {
        #expect(metricNames(in: #"sum by (le) (rate(secretwatch_a_bucket{x="secretwatch_not_a_metric"}[5m])) / process_open_fds"#)
                == ["secretwatch_a_bucket", "process_open_fds"])
    }
}
