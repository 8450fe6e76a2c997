import Basics
import Testing

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("90s", 90.0), ("5m", 300), ("1h30m", 5400), ("1.5h", 5400), ("300ms", 0.3), ("2h45m30.5s", 9930.5),
        ("0", 0), ("60", 60), ("2.5", 2.5), ("1m0.5s", 60.5), ("+5s", 5), ("1µs", 1e-6), ("10ns", 1e-8),
    ])
    func goDurationsAndBareSecondsParse(_ text: String, _ seconds: Double) {
        #expect(GoDuration.seconds(text).map { abs($0 - seconds) < 1e-9 } == true, "\(text)")
    }

    @Test(arguments: ["", "s", "5x", "1h 30m", "m5", ".s", "1..5s"])
    func othersAreRefused(_ text: String) {
        #expect(GoDuration.seconds(text) == nil, "\(text)")
    }
}
