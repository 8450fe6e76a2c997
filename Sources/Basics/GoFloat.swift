/// Go's float formatting.
public enum GoFloat {
    /// Go's `strconv.FormatFloat(d, 'g', -1, 64)` (what `%v` prints): shortest round-trip digits,
    /// in exponent form when the decimal exponent is below -4 or at least 6 (`1e+06`, `123456.7`, `1e-05`).
    public static func format(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "+Inf" : "-Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        // Whole numbers below 10^6 print as integers (replicas, ports): no digit search needed.
        if abs(d) < 1e6, d == d.rounded(.towardZero) { return String(Int64(d)) }
        let (digits, pointPosition) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let e = abs(exponent)
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0\(e)" : "\(e)")
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
        }
        let split = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// The shortest round-trip decimal digits of a positive finite `d` and the position of the
    /// decimal point relative to them (`1234.5` -> ("12345", 4); `0.001` -> ("1", -2)).
    public static func shortestDigits(_ d: Double) -> (String, Int) {
        let text = "\(d)"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var integerPart = mantissa
        var fractionPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(integerPart) + fractionPart
        var point = integerPart.count + exponent
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        return (digits, point)
    }
}
