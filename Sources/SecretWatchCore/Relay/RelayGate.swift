import Foundation
import Logging
import Synchronization

/// The relay settings in force: the `relay:` section and the tokens read from its files. Built at start, replaced at
/// every reload (the tokens are read again even when the section did not change, so a token file replaced in place
/// takes effect on SIGHUP). Read by the HTTP route for every request.
public final class RelayGate: Sendable {
    public struct Snapshot: Sendable {
        public var config: RelayConfig?
        let tokens: RelayTokens
    }

    private let state: Mutex<Snapshot>

    public init(config: RelayConfig?, tokens: RelayTokens) {
        state = Mutex(Snapshot(config: config, tokens: tokens))
    }

    /// Reads the tokens now; throws naming a token that cannot be used.
    public convenience init(config: RelayConfig?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.init(config: config, tokens: try RelayTokens.read(config, environment: environment))
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Takes the relay section of a reloaded configuration. A token that cannot be read now keeps the previous
    /// settings in force, and says so.
    public func reload(_ config: RelayConfig?, environment: [String: String] = ProcessInfo.processInfo.environment,
                       logger: Logger) {
        do {
            let tokens = try RelayTokens.read(config, environment: environment)
            state.withLock { $0 = Snapshot(config: config, tokens: tokens) }
        } catch {
            logger.error("cannot read a relay token; the previous relay settings stay in force", metadata: ["error": "\(error)"])
        }
    }
}
