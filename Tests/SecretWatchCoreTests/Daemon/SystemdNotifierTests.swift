import Foundation
import Testing
@testable import SecretWatchCore

/// The `sd_notify` datagram as systemd receives it: to a socket path or an abstract name, nothing without
/// `$NOTIFY_SOCKET`, and the watchdog interval only when systemd set one for this process.
@Suite("systemd notifications")
struct SystemdNotifierTests {
    @Test("a notification reaches a socket bound at a path")
    func path() async throws {
        let socket = try NotifySocket()
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address]).notify("READY=1"))
        #expect(await socket.receive() == "READY=1")
    }

    @Test("an @name reaches a socket in the abstract namespace")
    func abstractNamespace() async throws {
        let socket = try NotifySocket(abstractName: "sw-notify-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address]).notify("STOPPING=1"))
        #expect(await socket.receive() == "STOPPING=1")
    }

    @Test("without NOTIFY_SOCKET nothing is sent and there is no watchdog")
    func disabled() {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"])
        #expect(!notifier.isEnabled)
        #expect(!notifier.notify("READY=1"))
        #expect(notifier.watchdogInterval == nil)
    }

    @Test("WATCHDOG_USEC sets the watchdog interval unless WATCHDOG_PID names another process")
    func watchdog() {
        let base = ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000"]
        #expect(SystemdNotifier(environment: base, pid: 42).watchdogInterval == 30)
        #expect(SystemdNotifier(environment: base.merging(["WATCHDOG_PID": "42"]) { $1 }, pid: 42).watchdogInterval == 30)
        #expect(SystemdNotifier(environment: base.merging(["WATCHDOG_PID": "7"]) { $1 }, pid: 42).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: base.merging(["WATCHDOG_USEC": "0"]) { $1 }, pid: 42).watchdogInterval == nil)
    }
}
