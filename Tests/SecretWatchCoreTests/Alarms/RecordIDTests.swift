import Foundation
import Testing
@testable import SecretWatchCore

@Suite("Alarm ids")
struct AlarmIDTests {
    @Test func canonicalAlarmIds() {
        #expect(RecordID.parse("1") == 1)
        #expect(RecordID.parse("9223372036854775807") == Int64.max)
        for text in ["+1", "01", "0", "00", "-1", " 1", "1 ", "1e3", "٣", "9223372036854775808", "99999999999999999999", ""] {
            #expect(RecordID.parse(text) == nil, "\(text.debugDescription)")
        }
    }
}
