/// Takes the exposition a chunk at a time as it is written (the compressor of a large exposition).
public protocol ExpositionSink: AnyObject {
    func consume(_ chunk: UnsafeRawBufferPointer)
}

/// Writes the Prometheus text format (version 0.0.4) into a byte buffer: HELP and TYPE once per family,
/// then its samples, label values escaped. With a sink, the buffer is handed over whenever it passes
/// `chunkSize` (and by `finish()`), so the whole text never exists at once.
public struct ExpositionWriter {
    public private(set) var bytes: [UInt8] = []
    private let sink: ExpositionSink?
    private let chunkSize: Int

    public init(capacity: Int = 4096) {
        sink = nil
        chunkSize = .max
        bytes.reserveCapacity(capacity)
    }

    public init(sink: ExpositionSink, chunkSize: Int = 1 << 16) {
        self.sink = sink
        self.chunkSize = chunkSize
        bytes.reserveCapacity(chunkSize + 4096)
    }

    /// Hands what is buffered to the sink (no-op without one).
    public mutating func finish() {
        guard let sink, !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { sink.consume($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    public mutating func family(_ family: MetricFamily) {
        append("# HELP ")
        append(family.name)
        append(" ")
        append(Self.escapeHelp(family.help))
        append("\n# TYPE ")
        append(family.name)
        append(" ")
        append(family.kind.rawValue)
        append("\n")
    }

    /// One sample; `labels` pairs with `family.labels` in order (extra pairs, such as `le`, go last).
    mutating func sample(_ name: String, names: [String], values: [String], _ value: Double) {
        precondition(names.count == values.count, "\(name): \(names.count) label names, \(values.count) values")
        append(name)
        if !names.isEmpty {
            append("{")
            for i in names.indices {
                if i > 0 { append(",") }
                append(names[i])
                append("=\"")
                append(Self.escapeLabel(values[i]))
                append("\"")
            }
            append("}")
        }
        append(" ")
        append(Self.format(value))
        append("\n")
        if bytes.count >= chunkSize { finish() }
    }

    public mutating func sample(_ family: MetricFamily, _ values: [String], _ value: Double) {
        sample(family.name, names: family.labels, values: values, value)
    }

    public mutating func histogram(_ family: MetricFamily, _ values: [String], _ histogram: Histogram) {
        let names = family.labels + ["le"]
        for (bound, count) in histogram.cumulative {
            sample(family.name + "_bucket", names: names, values: values + [Self.format(bound)], Double(count))
        }
        sample(family.name + "_bucket", names: names, values: values + ["+Inf"], Double(histogram.count))
        sample(family.name + "_sum", names: family.labels, values: values, histogram.sum)
        sample(family.name + "_count", names: family.labels, values: values, Double(histogram.count))
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Integral values without a fraction (timestamps, counts), others in Swift's shortest round-trip form,
    /// which Prometheus' parser reads (`0.25`, `1e-05`).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeLabel(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return text }
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    static func escapeHelp(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\n" }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}

/// One metric family: its name, type, help text and label names.
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

/// A Prometheus histogram's state: per-bucket counts (not cumulative), the sum and the count.
public struct Histogram: Sendable, Equatable {
    let upperBounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum: Double = 0
    private(set) var count: Int = 0

    public init(upperBounds: [Double]) {
        precondition(upperBounds == upperBounds.sorted() && !upperBounds.isEmpty, "bucket bounds must be ascending")
        self.upperBounds = upperBounds
        counts = Array(repeating: 0, count: upperBounds.count)
    }

    public mutating func observe(_ value: Double) {
        let v = value.isFinite ? max(0, value) : 0
        if let index = upperBounds.firstIndex(where: { v <= $0 }) {
            counts[index] += 1
        }
        sum += v
        count += 1
    }

    /// (upper bound, cumulative count) pairs; the `+Inf` bucket is `count`.
    var cumulative: [(Double, Int)] {
        var running = 0
        return zip(upperBounds, counts).map { bound, n in
            running += n
            return (bound, running)
        }
    }
}
