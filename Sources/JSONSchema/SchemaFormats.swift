import Basics
import Foundation

/// The `format`s Kubernetes and CRD schemas use. Unknown formats pass, as JSON Schema says.
enum SchemaFormats {
    /// A problem with `value` for `format`, nil when it conforms.
    static func check(_ value: Value, format: String) -> String? {
        switch (format, value) {
        case ("int32", .int(let i)):
            return Int64(Int32.min)...Int64(Int32.max) ~= i ? nil : "\(i) does not fit in a 32-bit integer (format int32)"
        case ("int32", .float(let d)):
            return d >= Double(Int32.min) && d <= Double(Int32.max) ? nil : "\(GoFloat.format(d)) does not fit in a 32-bit integer (format int32)"
        case ("int64", .float(let d)):
            return d >= -9.223372036854775808e18 && d < 9.223372036854775808e18 ? nil : "\(GoFloat.format(d)) does not fit in a 64-bit integer (format int64)"
        case ("byte", .string(let s)):
            return Data(base64Encoded: s) != nil ? nil : "is not base64-encoded data (format byte)"
        case ("date-time", .string(let s)):
            return isDateTime(s) ? nil : "\(SchemaProblem.show(value)) is not an RFC 3339 date-time such as 2026-11-26T09:30:00Z (format date-time)"
        case ("date", .string(let s)):
            return isDate(s) ? nil : "\(SchemaProblem.show(value)) is not a date such as 2026-11-26 (format date)"
        default:
            return nil
        }
    }

    static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month), (1...31).contains(day) else { return false }
        return true
    }

    /// RFC 3339: `date` `T` `hh:mm:ss[.frac]` `Z` or `±hh:mm` (`t`/`z` accepted).
    static func isDateTime(_ s: String) -> Bool {
        guard let t = s.firstIndex(where: { $0 == "T" || $0 == "t" }), isDate(String(s[..<t])) else { return false }
        var time = Substring(s[s.index(after: t)...])
        if time.hasSuffix("Z") || time.hasSuffix("z") {
            time = time.dropLast()
        } else if let sign = time.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = time[time.index(after: sign)...]
            guard offset.count == 5, offset[offset.index(offset.startIndex, offsetBy: 2)] == ":" else { return false }
            time = time[..<sign]
        } else {
            return false
        }
        let clockAndFraction = time.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let clock = clockAndFraction[0].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              hour < 24, minute < 60, second <= 60 else { return false }
        if clockAndFraction.count == 2 {
            return !clockAndFraction[1].isEmpty && clockAndFraction[1].allSatisfy { $0.isASCII && $0.isNumber }
        }
        return true
    }
}
