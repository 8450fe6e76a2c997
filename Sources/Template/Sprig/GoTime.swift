import Foundation

/// A Go `time.Time` in templates: a point in time and the zone it is shown in.
public struct GoTime: TemplateObject {
    public var date: Date
    public var zone: TimeZone

    public init(date: Date, zone: TimeZone) {
        self.date = date
        self.zone = zone
    }

    public var typeName: String { "time.Time" }

    /// Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    public var printed: String { format("2006-01-02 15:04:05.999999999 -0700 MST") }

    public func field(_ name: String) -> TemplateValue? { nil }

    public func method(_ name: String) -> (@Sendable ([TemplateValue]) throws -> TemplateValue)? {
        let time = self
        switch name {
        case "Unix": return { _ in .int(Int64(time.date.timeIntervalSince1970.rounded(.down))) }
        case "Year": return { _ in .int(Int64(time.components.year ?? 0)) }
        case "Format": return { a in .string(time.format(try SV.string(a.first ?? .null))) }
        case "UTC": return { _ in .object(GoTime(date: time.date, zone: TimeZone(identifier: "UTC")!)) }
        default: return nil
        }
    }

    var components: DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday], from: date)
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Go's `Time.Format` with a reference-time layout (`2006-01-02T15:04:05Z07:00`).
    public func format(_ layout: String) -> String {
        let c = components
        let year = c.year ?? 0, month = c.month ?? 1, day = c.day ?? 1
        let hour = c.hour ?? 0, minute = c.minute ?? 0, second = c.second ?? 0, nanos = c.nanosecond ?? 0
        let offset = zone.secondsFromGMT(for: date)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(abs(n))
            return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
        }
        func zoneOffset(colon: Bool, seconds: Bool = false, z: Bool) -> String {
            if z && offset == 0 { return "Z" }
            let sign = offset < 0 ? "-" : "+"
            let o = abs(offset)
            return sign + pad(o / 3600, 2) + (colon ? ":" : "") + pad((o % 3600) / 60, 2)
                + (seconds ? (colon ? ":" : "") + pad(o % 60, 2) : "")
        }
        let tokens: [(String, () -> String)] = [
            ("January", { Self.monthNames[month - 1] }), ("Jan", { String(Self.monthNames[month - 1].prefix(3)) }),
            ("Monday", { Self.dayNames[(c.weekday ?? 1) - 1] }), ("Mon", { String(Self.dayNames[(c.weekday ?? 1) - 1].prefix(3)) }),
            ("MST", { zone.abbreviation(for: date).map { $0.hasPrefix("GMT") && offset == 0 ? "UTC" : $0 } ?? "UTC" }),
            ("2006", { pad(year, 4) }), ("Z07:00:00", { zoneOffset(colon: true, seconds: true, z: true) }),
            ("-07:00:00", { zoneOffset(colon: true, seconds: true, z: false) }),
            ("Z07:00", { zoneOffset(colon: true, z: true) }), ("-07:00", { zoneOffset(colon: true, z: false) }),
            ("Z0700", { zoneOffset(colon: false, z: true) }), ("-0700", { zoneOffset(colon: false, z: false) }),
            ("Z07", { offset == 0 ? "Z" : String(zoneOffset(colon: false, z: false).prefix(3)) }),
            ("-07", { String(zoneOffset(colon: false, z: false).prefix(3)) }),
            ("01", { pad(month, 2) }), ("02", { pad(day, 2) }), ("_2", { day < 10 ? " \(day)" : "\(day)" }),
            ("002", { pad(Calendar(identifier: .gregorian).ordinality(of: .day, in: .year, for: date) ?? 1, 3) }),
            ("15", { pad(hour, 2) }), ("03", { pad(hour % 12 == 0 ? 12 : hour % 12, 2) }),
            ("04", { pad(minute, 2) }), ("05", { pad(second, 2) }), ("06", { pad(year % 100, 2) }),
            ("PM", { hour >= 12 ? "PM" : "AM" }), ("pm", { hour >= 12 ? "pm" : "am" }),
            ("1", { String(month) }), ("2", { String(day) }), ("3", { String(hour % 12 == 0 ? 12 : hour % 12) }),
            ("4", { String(minute) }), ("5", { String(second) }),
        ]
        var out = ""
        var rest = Substring(layout)
        outer: while !rest.isEmpty {
            // Fractional seconds: .000 (fixed) or .999 (trailing zeros trimmed), also with a comma.
            if let first = rest.first, first == "." || first == ",", rest.count > 1,
               let digit = rest.dropFirst().first, digit == "0" || digit == "9" {
                let run = rest.dropFirst().prefix { $0 == digit }
                let next = rest.dropFirst(1 + run.count).first
                if next == nil || !(next!.isNumber) {
                    var fraction = pad(nanos, 9).prefix(run.count)
                    if digit == "9" {
                        while fraction.last == "0" { fraction = fraction.dropLast() }
                        if !fraction.isEmpty { out += String(first) + fraction }
                    } else {
                        out += String(first) + fraction
                    }
                    rest = rest.dropFirst(1 + run.count)
                    continue
                }
            }
            for (token, value) in tokens where rest.hasPrefix(token) {
                out += value()
                rest = rest.dropFirst(token.count)
                continue outer
            }
            out.append(rest.removeFirst())
        }
        return out
    }

    /// Go's `time.ParseInLocation` for the common layout elements.
    static func parse(layout: String, value: String, zone: TimeZone) -> GoTime? {
        var l = Substring(layout), v = Substring(value)
        var year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0
        var pm: Bool? = nil
        var offset: Int? = nil
        func number(_ maxDigits: Int, exact: Bool) -> Int? {
            let digits = v.prefix { $0.isNumber }.prefix(maxDigits)
            if digits.isEmpty || (exact && digits.count != maxDigits) { return nil }
            v = v.dropFirst(digits.count)
            return Int(digits)
        }
        while !l.isEmpty {
            if l.hasPrefix("2006") { guard let n = number(4, exact: true) else { return nil }; year = n; l = l.dropFirst(4) }
            else if l.hasPrefix("January") {
                guard let i = monthNames.firstIndex(where: { v.hasPrefix($0) }) else { return nil }
                month = i + 1; v = v.dropFirst(monthNames[i].count); l = l.dropFirst(7)
            } else if l.hasPrefix("Jan") {
                guard let i = monthNames.firstIndex(where: { v.hasPrefix($0.prefix(3)) }) else { return nil }
                month = i + 1; v = v.dropFirst(3); l = l.dropFirst(3)
            } else if l.hasPrefix("Monday") {
                guard let d = dayNames.first(where: { v.hasPrefix($0) }) else { return nil }
                v = v.dropFirst(d.count); l = l.dropFirst(6)
            } else if l.hasPrefix("Mon") { v = v.dropFirst(3); l = l.dropFirst(3) }
            else if l.hasPrefix("MST") { v = v.drop { $0.isLetter }; l = l.dropFirst(3) }
            else if l.hasPrefix("Z07:00") || l.hasPrefix("-07:00") || l.hasPrefix("Z0700") || l.hasPrefix("-0700") {
                let colon = l.dropFirst().hasPrefix("07:")
                l = l.dropFirst(colon ? 6 : 5)
                if v.first == "Z" { offset = 0; v = v.dropFirst(); continue }
                guard let sign = v.first, sign == "+" || sign == "-" else { return nil }
                v = v.dropFirst()
                guard let h = number(2, exact: true) else { return nil }
                if colon { guard v.first == ":" else { return nil }; v = v.dropFirst() }
                guard let m = number(2, exact: true) else { return nil }
                offset = (sign == "-" ? -1 : 1) * (h * 3600 + m * 60)
            }
            else if l.hasPrefix("01") { guard let n = number(2, exact: true) else { return nil }; month = n; l = l.dropFirst(2) }
            else if l.hasPrefix("02") { guard let n = number(2, exact: true) else { return nil }; day = n; l = l.dropFirst(2) }
            else if l.hasPrefix("_2") { v = v.drop { $0 == " " }; guard let n = number(2, exact: false) else { return nil }; day = n; l = l.dropFirst(2) }
            else if l.hasPrefix("15") { guard let n = number(2, exact: false) else { return nil }; hour = n; l = l.dropFirst(2) }
            else if l.hasPrefix("03") { guard let n = number(2, exact: true) else { return nil }; hour = n; l = l.dropFirst(2) }
            else if l.hasPrefix("04") { guard let n = number(2, exact: true) else { return nil }; minute = n; l = l.dropFirst(2) }
            else if l.hasPrefix("05") {
                guard let n = number(2, exact: true) else { return nil }
                second = n; l = l.dropFirst(2)
                if v.first == "." || v.first == ",", !l.hasPrefix(".") {
                    v = v.dropFirst()
                    let digits = v.prefix { $0.isNumber }
                    nanos = Int(String(digits.prefix(9)).padding(toLength: 9, withPad: "0", startingAt: 0)) ?? 0
                    v = v.dropFirst(digits.count)
                }
            }
            else if l.hasPrefix("06") { guard let n = number(2, exact: true) else { return nil }; year = n >= 69 ? 1900 + n : 2000 + n; l = l.dropFirst(2) }
            else if l.hasPrefix("PM") || l.hasPrefix("pm") {
                let word = v.prefix(2).uppercased()
                guard word == "AM" || word == "PM" else { return nil }
                pm = word == "PM"; v = v.dropFirst(2); l = l.dropFirst(2)
            }
            else if l.hasPrefix("1") { guard let n = number(2, exact: false) else { return nil }; month = n; l = l.dropFirst() }
            else if l.hasPrefix("2") { guard let n = number(2, exact: false) else { return nil }; day = n; l = l.dropFirst() }
            else if l.hasPrefix("3") { guard let n = number(2, exact: false) else { return nil }; hour = n; l = l.dropFirst() }
            else if l.hasPrefix("4") { guard let n = number(2, exact: false) else { return nil }; minute = n; l = l.dropFirst() }
            else if l.hasPrefix("5") { guard let n = number(2, exact: false) else { return nil }; second = n; l = l.dropFirst() }
            else {
                guard v.first == l.first else { return nil }
                v = v.dropFirst(); l = l.dropFirst()
            }
        }
        guard v.isEmpty, (1...12).contains(month), (1...31).contains(day) else { return nil }
        if let pm { hour = hour % 12 + (pm ? 12 : 0) }
        var calendar = Calendar(identifier: .gregorian)
        let tz = offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? zone
        calendar.timeZone = tz
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute,
                                                            second: second, nanosecond: nanos)) else { return nil }
        return GoTime(date: date, zone: tz)
    }
}

/// Go's `time.Duration`.
public enum GoDuration {
    /// `Duration.String()`: `1h2m3s`, `1.5s`, `100ms`, `0s`.
    public static func string(nanoseconds n: Int64) -> String {
        if n == 0 { return "0s" }
        let negative = n < 0
        let u = n.magnitude
        var out: String
        if u < 1_000_000_000 {
            let (unit, divisor): (String, UInt64) = u < 1_000 ? ("ns", 1) : u < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            out = fraction(u, divisor) + unit
        } else {
            let seconds = u / 1_000_000_000
            out = fraction(u % 60_000_000_000, 1_000_000_000) + "s"
            if seconds >= 60 {
                out = String((seconds / 60) % 60) + "m" + out
                if seconds >= 3600 { out = String(seconds / 3600) + "h" + out }
            }
        }
        return (negative ? "-" : "") + out
    }

    private static func fraction(_ value: UInt64, _ divisor: UInt64) -> String {
        let whole = value / divisor
        var rest = value % divisor
        guard rest > 0 else { return String(whole) }
        var digits = ""
        var d = divisor
        while d > 1 {
            d /= 10
            digits += String(rest / d)
            rest %= d
        }
        while digits.last == "0" { digits.removeLast() }
        return String(whole) + "." + digits
    }

    /// `time.ParseDuration`: `1h30m`, `1.5s`, `-2m`, `300ms`.
    public static func parse(_ text: String) -> Int64? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        if s == "0" { return 0 }
        guard !s.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12)]
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            s = s.dropFirst(number.count)
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { s.hasPrefix($0.0) }) else { return nil }
            s = s.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return Int64((negative ? -total : total).rounded())
    }
}
