import Basics
import Foundation
import Template

/// Helm 4's duration helpers: `toDuration`/`mustToDuration` (numbers are seconds, strings are
/// numbers of seconds or Go durations), the `durationX` conversions and rounding.
enum HelmDurations {
    struct Invalid: Error, CustomStringConvertible { var description: String }

    static let maxNanoseconds = Double(Int64.max)

    /// Nanoseconds of a value, or an error naming why it is not a duration.
    static func nanoseconds(_ value: TemplateValue) throws -> Int64 {
        func fromSeconds(_ seconds: Double) throws -> Int64 {
            guard seconds.isFinite else { throw Invalid(description: "invalid duration: \(GoFloat.format(seconds))") }
            let nanos = (seconds * 1e9).rounded()
            guard abs(nanos) < maxNanoseconds else { throw Invalid(description: "duration out of range: \(GoFloat.format(seconds))s") }
            return Int64(nanos)
        }
        switch value {
        case .int(let i): return try fromSeconds(Double(i))
        case .float(let d): return try fromSeconds(d)
        case .string(let s):
            let text = s.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { throw Invalid(description: "invalid duration: empty string") }
            if let seconds = Double(text) { return try fromSeconds(seconds) }
            guard let nanos = GoDuration.parse(text) else { throw Invalid(description: "time: invalid duration \(GoFormat.quote(text))") }
            return nanos
        default:
            throw Invalid(description: "cannot convert \(value.typeName) to a duration")
        }
    }

    static func lenient(_ value: TemplateValue) -> Int64 { (try? nanoseconds(value)) ?? 0 }

    static func float(_ nanos: Int64, per unit: Double) -> TemplateValue { .float(Double(nanos) / unit) }

    static let functions: [String: TemplateFunction] = [
        "toDuration": TemplateFunction(arguments: 1) { _, a in .string(GoDuration.string(nanoseconds: lenient(a[0]))) },
        "mustToDuration": TemplateFunction(arguments: 1) { _, a in
            .string(GoDuration.string(nanoseconds: try nanoseconds(a[0])))
        },
        "durationSeconds": TemplateFunction(arguments: 1) { _, a in float(lenient(a[0]), per: 1e9) },
        "durationMinutes": TemplateFunction(arguments: 1) { _, a in float(lenient(a[0]), per: 6e10) },
        "durationHours": TemplateFunction(arguments: 1) { _, a in float(lenient(a[0]), per: 3.6e12) },
        "durationDays": TemplateFunction(arguments: 1) { _, a in float(lenient(a[0]), per: 8.64e13) },
        "durationWeeks": TemplateFunction(arguments: 1) { _, a in float(lenient(a[0]), per: 6.048e14) },
        "durationMilliseconds": TemplateFunction(arguments: 1) { _, a in .int(lenient(a[0]) / 1_000_000) },
        "durationMicroseconds": TemplateFunction(arguments: 1) { _, a in .int(lenient(a[0]) / 1_000) },
        "durationNanoseconds": TemplateFunction(arguments: 1) { _, a in .int(lenient(a[0])) },
        "durationRoundTo": TemplateFunction(arguments: 2) { _, a in
            let d = lenient(a[0])
            guard let m = try? nanoseconds(a[1]), m > 0 else { return .string(GoDuration.string(nanoseconds: d)) }
            // Go's Duration.Round: halfway values round away from zero.
            let r = d % m
            let rounded = abs(r) * 2 >= m ? d - r + (d < 0 ? -m : m) : d - r
            return .string(GoDuration.string(nanoseconds: rounded))
        },
        "durationTruncateTo": TemplateFunction(arguments: 2) { _, a in
            let d = lenient(a[0])
            guard let m = try? nanoseconds(a[1]), m > 0 else { return .string(GoDuration.string(nanoseconds: d)) }
            return .string(GoDuration.string(nanoseconds: d - d % m))
        },
    ]
}
