import Synchronization

/// The configuration in force; replaced by a successful reload, read by whoever needs the live value.
public final class CurrentConfig: Sendable {
    private let state: Mutex<Config>

    public init(_ config: Config) {
        state = Mutex(config)
    }

    public var value: Config { state.withLock { $0 } }

    func replace(with config: Config) {
        state.withLock { $0 = config }
    }
}
