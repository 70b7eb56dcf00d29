import Foundation
import Testing

/// The tests' small volume: `free()` gives the room back at once, even while another process still holds the
/// filler file open (a child another test spawned while `fill()` had it open keeps a copy until it execs).
@Suite("Test small volume")
struct SmallVolumeTests {
    @Test(.enabled(if: SmallVolume.mountPermitted, SmallVolume.skipReason))
    func freeGivesTheRoomBackWhileTheFillerIsStillOpenElsewhere() throws {
        let volume = try SmallVolume(size: "1m")
        defer { try? volume.unmount() }
        let filled = try volume.fill()
        #expect(try volume.availableBytes() == 0)
        let held = open(volume.path("filler"), O_RDONLY | O_CLOEXEC)
        try #require(held >= 0)
        defer { close(held) }
        try volume.free()
        #expect(try volume.availableBytes() >= filled / 2, "\(filled) bytes of filler, but the volume is still full")
    }
}
