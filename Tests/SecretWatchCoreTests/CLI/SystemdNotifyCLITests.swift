import Foundation
import Testing
@testable import SecretWatchCore

/// `secretwatch run` under `Type=notify`: the built binary, started with `NOTIFY_SOCKET` naming a socket this
/// test bound, says `READY=1` only when `/healthz` answers and the first pass is done, pings the watchdog when
/// `WATCHDOG_USEC` is set, and says `STOPPING=1` on SIGTERM.
@Suite("CLI: systemd notify protocol")
struct SystemdNotifyCLITests {
    @Test("READY=1 once HTTP answers and the first pass is done; WATCHDOG=1 with WATCHDOG_USEC; STOPPING=1 on SIGTERM")
    func readyWatchdogStopping() async throws {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "notify-test-secret-4711\n", mode: 0o600)
        let port = EndToEndHarness.freePort()
        // The secret expires in 10 days: the first pass raises client_secret_expiring.
        let config = try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"),
                                                                        expires: Date().addingTimeInterval(10 * 86400 + 600),
                                                                        extra: "http:\n  listen: 127.0.0.1:\(port)"))
        let socket = try NotifySocket()
        let daemon = try BackgroundDaemon(config: config, logPath: dir.file("run.log"),
                                          environment: ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "2000000"])
        let ready = await socket.receive()
        #expect(ready?.hasPrefix("READY=1\n") == true, "first notification: \(ready ?? "none"); log:\n\(daemon.log.suffix(2000))")
        let health = try TestConnection(port: port).request("GET", "/healthz")
        #expect(health.status == 200)
        #expect(daemon.log.contains("msg=\"alarm raised\""), "READY=1 before the first pass was done:\n\(daemon.log.suffix(2000))")

        let ping = await socket.receive()
        #expect(ping == "WATCHDOG=1")

        kill(daemon.pid, SIGTERM)
        let stopping = await socket.receive(startingWith: "STOPPING=1")
        #expect(stopping == "STOPPING=1")
        #expect(try await daemon.stop() == 0, "\(daemon.log.suffix(2000))")
    }
}
