import Foundation

/// Sprig's date functions. `now` comes from a clock the caller can fix (a render uses the commit
/// time of the revision, so that output does not change between runs).
enum SprigDates {
    static func time(_ value: TemplateValue, zone: TimeZone) -> GoTime {
        switch value {
        case .object(let t as GoTime): return GoTime(date: t.date, zone: zone)
        case .int(let seconds): return GoTime(date: Date(timeIntervalSince1970: Double(seconds)), zone: zone)
        case .float(let seconds): return GoTime(date: Date(timeIntervalSince1970: seconds.rounded(.towardZero)), zone: zone)
        default: return GoTime(date: Date(), zone: zone)
        }
    }

    static func zone(_ name: String) -> TimeZone {
        if name == "Local" { return TimeZone.current }
        return TimeZone(identifier: name) ?? TimeZone(identifier: "UTC")!
    }

    static let functions: [String: TemplateFunction] = {
        let dateInZone = TemplateFunction(arguments: 3) { _, a in
            let z = zone(try SV.string(a[2]))
            return .string(time(a[1], zone: z).format(try SV.string(a[0])))
        }
        let toDate = TemplateFunction(arguments: 2) { _, a in
            guard let t = GoTime.parse(layout: try SV.string(a[0]), value: try SV.string(a[1]), zone: TimeZone.current) else {
                throw FunctionError("parsing time \(GoFormat.quote(try SV.string(a[1]))) as \(GoFormat.quote(try SV.string(a[0]))): cannot parse")
            }
            return .object(t)
        }
        return [
            "now": TemplateFunction(arguments: 0) { context, _ in .object(GoTime(date: context.now, zone: TimeZone.current)) },
            "date": TemplateFunction(arguments: 2) { _, a in
                .string(time(a[1], zone: TimeZone.current).format(try SV.string(a[0])))
            },
            "dateInZone": dateInZone,
            "date_in_zone": dateInZone,
            "htmlDate": TemplateFunction(arguments: 1) { _, a in .string(time(a[0], zone: TimeZone.current).format("2006-01-02")) },
            "htmlDateInZone": TemplateFunction(arguments: 2) { _, a in
                .string(time(a[0], zone: zone(try SV.string(a[1]))).format("2006-01-02"))
            },
            "toDate": toDate,
            "mustToDate": toDate,
            "unixEpoch": TemplateFunction(arguments: 1) { _, a in
                .string(String(Int64(time(a[0], zone: TimeZone.current).date.timeIntervalSince1970.rounded(.down))))
            },
            "dateModify": TemplateFunction(arguments: 2) { _, a in
                guard let n = GoDuration.parse(try SV.string(a[0])) else { return a[1] }
                let t = time(a[1], zone: TimeZone.current)
                return .object(GoTime(date: t.date.addingTimeInterval(Double(n) / 1e9), zone: t.zone))
            },
            "mustDateModify": TemplateFunction(arguments: 2) { _, a in
                guard let n = GoDuration.parse(try SV.string(a[0])) else {
                    throw FunctionError("time: invalid duration \(GoFormat.quote(try SV.string(a[0])))")
                }
                let t = time(a[1], zone: TimeZone.current)
                return .object(GoTime(date: t.date.addingTimeInterval(Double(n) / 1e9), zone: t.zone))
            },
            "ago": TemplateFunction(arguments: 1) { context, a in
                let seconds = context.now.timeIntervalSince(time(a[0], zone: TimeZone.current).date).rounded()
                return .string(GoDuration.string(nanoseconds: Int64(seconds) * 1_000_000_000))
            },
            "duration": TemplateFunction(arguments: 1) { _, a in
                let seconds: Int64
                switch a[0] {
                case .string(let s): seconds = Int64(s) ?? 0
                case .int(let i): seconds = i
                default: seconds = 0
                }
                return .string(GoDuration.string(nanoseconds: seconds &* 1_000_000_000))
            },
            "durationRound": TemplateFunction(arguments: 1) { context, a in
                let nanos: Int64
                switch a[0] {
                case .string(let s): nanos = GoDuration.parse(s) ?? 0
                case .int(let i): nanos = i
                case .object(let t as GoTime): nanos = Int64(context.now.timeIntervalSince(t.date) * 1e9)
                default: nanos = 0
                }
                let u = nanos.magnitude
                let hour: UInt64 = 3_600_000_000_000
                let units: [(UInt64, String)] = [(hour * 24 * 365, "y"), (hour * 24 * 30, "mo"), (hour * 24, "d"), (hour, "h"),
                                                 (60_000_000_000, "m"), (1_000_000_000, "s")]
                for (size, name) in units where u > size { return .string(String(u / size) + name) }
                return .string("0s")
            },
        ]
    }()
}
