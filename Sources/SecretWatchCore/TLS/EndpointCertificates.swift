import FoundationEssentials
import Synchronization

/// The certificates secretwatch depends on, kept in memory: the chain each endpoint presented on its last new
/// connection (token endpoint, Microsoft Graph, SMTP server) and every certificate of the configured `ca_file`s.
/// Token requests, Graph requests and SMTP sessions record here; the metrics export it and
/// `EndpointCertificateEvaluator` raises `endpoint_certificate_expiring` from it.
///
/// Nothing is stored in the database: after a restart a chain is known again from the endpoint's next new
/// connection (the first scheduler pass requests a token), the `ca_file`s are read at start and at every reload.
/// `isComplete` tells the evaluator when every endpoint it expects has been seen since start, so an alarm is never
/// cleared only because a chain is not known yet.
public final class EndpointCertificates: Sendable {
    private struct State {
        var byEndpoint: [String: [EndpointCertificate]] = [:]
        var expected: Set<String> = []
    }

    private let state = Mutex(State())
    private let observers = Mutex<[@Sendable ([EndpointCertificate]) -> Void]>([])

    public init() {}

    /// Called with every certificate after each change (the metrics registry).
    public func onChange(_ observer: @escaping @Sendable ([EndpointCertificate]) -> Void) {
        observers.withLock { $0.append(observer) }
        observer(all)
    }

    /// Records the chain `endpoint` presented (PEM text, leaf first, as libcurl reported it). An empty list (a
    /// reused connection, a failed handshake) changes nothing.
    public func record(endpoint: String, pems: [String]) {
        guard !pems.isEmpty else { return }
        let chain = EndpointCertificate.chain(endpoint: endpoint, pems: pems)
        guard !chain.isEmpty else { return }
        replace(endpoint, with: chain)
    }

    /// Reads every certificate of these `ca_file`s (start-up, reload); a file no longer configured is forgotten.
    /// Returns the problems of files that could not be read (the previous reading of such a file is kept).
    @discardableResult
    public func loadCAFiles(_ paths: [String]) -> [String: String] {
        var problems: [String: String] = [:]
        var files: [String: [EndpointCertificate]] = [:]
        for path in Set(paths) {
            do {
                files[EndpointCertificate.caFileEndpoint(path)] = try EndpointCertificate.caFile(path)
            } catch {
                problems[path] = "\(error)"
            }
        }
        let changed = state.withLock { s -> Bool in
            let before = s.byEndpoint
            for key in s.byEndpoint.keys where key.hasPrefix("ca_file:") && !paths.contains(String(key.dropFirst(8))) {
                s.byEndpoint[key] = nil
            }
            for (key, certificates) in files { s.byEndpoint[key] = certificates }
            return before != s.byEndpoint
        }
        if changed { notify() }
        return problems
    }

    /// The endpoints whose chain must have been seen since start before an alarm may clear (the configured token
    /// endpoint and SMTP server); `ca_file`s are read at start and always known.
    public func expect(_ endpoints: [String]) {
        state.withLock { $0.expected = Set(endpoints) }
    }

    /// Whether every expected endpoint's chain has been recorded since start.
    public var isComplete: Bool {
        state.withLock { s in s.expected.allSatisfy { s.byEndpoint[$0] != nil } }
    }

    /// The chain `endpoint` presented last (leaf first), or `[]` when none was recorded since start.
    public func chain(of endpoint: String) -> [EndpointCertificate] {
        state.withLock { $0.byEndpoint[endpoint] ?? [] }
    }

    /// Every certificate, by endpoint then position order.
    public var all: [EndpointCertificate] {
        state.withLock { s in s.byEndpoint.keys.sorted().flatMap { s.byEndpoint[$0]! } }
    }

    private func replace(_ endpoint: String, with chain: [EndpointCertificate]) {
        let changed = state.withLock { s -> Bool in
            guard s.byEndpoint[endpoint] != chain else { return false }
            s.byEndpoint[endpoint] = chain
            return true
        }
        if changed { notify() }
    }

    private func notify() {
        let snapshot = all
        for observer in observers.withLock({ $0 }) { observer(snapshot) }
    }
}
