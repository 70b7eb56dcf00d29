/// Alarm severities, in increasing order.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case warning
    case major
    case critical

    private var rank: Int {
        switch self {
        case .warning: 0
        case .major: 1
        case .critical: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}
