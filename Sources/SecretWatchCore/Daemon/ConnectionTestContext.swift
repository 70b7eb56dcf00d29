import Foundation
import Synchronization

/// What stages of one connection test hand to the stages after them (the token for SMTP AUTH).
/// Lives for one `check --connect` run, in memory only.
public final class ConnectionTestContext: Sendable {
    private let state = Mutex<AccessToken?>(nil)

    public init() {}

    /// The token the token stage obtained.
    public var token: AccessToken? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
