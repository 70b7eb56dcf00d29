import Dispatch
import Foundation
import ServiceLifecycle

/// Turns SIGHUP into `ConfigReloader.reload()`, one reload at a time, until graceful shutdown.
public final class ReloadService: Service, Sendable {
    public let reloader: ConfigReloader

    public init(reloader: ConfigReloader) {
        self.reloader = reloader
    }

    public func run() async throws {
        signal(SIGHUP, SIG_IGN) // handled by the dispatch source below, not by the default action (exit)
        let (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer { source.cancel() }
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                await self.reloader.reload()
            }
        }
        continuation.finish()
    }
}
