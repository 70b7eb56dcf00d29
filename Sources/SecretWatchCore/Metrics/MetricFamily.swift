/// One metric family: its name, type and help text. Every family secretwatch exports is a constant in
/// `MetricCatalog`, the one place names and help texts live (docs/metrics.md documents the same list).
public struct MetricFamily: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    public let name: String
    public let kind: Kind
    public let help: String
    /// Label names, in the order samples carry them (histograms add `le`).
    public let labels: [String]

    public init(_ name: String, _ kind: Kind, labels: [String] = [], help: String) {
        self.name = name
        self.kind = kind
        self.help = help
        self.labels = labels
    }

    /// Sample names a family exposes (`_bucket`, `_sum`, `_count` for histograms).
    public var sampleNames: [String] {
        switch kind {
        case .histogram: [name + "_bucket", name + "_sum", name + "_count"]
        case .counter, .gauge: [name]
        }
    }
}
