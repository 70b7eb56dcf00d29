/// A Prometheus histogram's state: per-bucket counts (not cumulative), the sum and the count.
struct Histogram: Sendable, Equatable {
    let upperBounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum: Double = 0
    private(set) var count: Int = 0

    init(upperBounds: [Double]) {
        precondition(upperBounds == upperBounds.sorted() && !upperBounds.isEmpty, "bucket bounds must be ascending")
        self.upperBounds = upperBounds
        counts = Array(repeating: 0, count: upperBounds.count)
    }

    mutating func observe(_ value: Double) {
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
