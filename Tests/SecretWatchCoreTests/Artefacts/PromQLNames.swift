import Foundation
@testable import SecretWatchCore

/// The secretwatch and process metric names a PromQL expression uses (identifiers with those prefixes;
/// labels, functions and keywords never have them).
func metricNames(in expression: String) -> Set<String> {
    var names = Set<String>()
    var current = ""
    var inString = false
    for ch in expression + " " {
        if ch == "\"" { inString.toggle(); current = ""; continue }
        if inString { continue }
        if ch.isLetter || ch.isNumber || ch == "_" || ch == ":" {
            current.append(ch)
        } else {
            if current.hasPrefix("secretwatch_") || current.hasPrefix("process_") { names.insert(current) }
            current = ""
        }
    }
    return names
}
