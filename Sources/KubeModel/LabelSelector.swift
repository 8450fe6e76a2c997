import Basics
import Foundation

/// `app=web,tier!=db,env in (a,b),!legacy,team` label selectors.
public enum LabelSelector {
    /// Whether `labels` satisfy every requirement of `selector` (equality, inequality, set and existence).
    public static func matches(_ selector: String, _ labels: ValueObject) -> Bool {
        var requirements: [String] = []
        var depth = 0, current = ""
        for character in selector {
            if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
            if character == ",", depth == 0 { requirements.append(current); current = "" } else { current.append(character) }
        }
        requirements.append(current)
        return requirements.allSatisfy { raw in
            let requirement = raw.trimmingCharacters(in: .whitespaces)
            if requirement.isEmpty { return true }
            func label(_ key: String) -> String? { labels[key.trimmingCharacters(in: .whitespaces)]?.stringValue }
            if let range = requirement.range(of: " notin ") ?? requirement.range(of: " in ") {
                let key = String(requirement[..<range.lowerBound])
                let values = requirement[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "() "))
                    .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let present = label(key).map(values.contains) ?? false
                return requirement.contains(" notin ") ? !present : present
            }
            if let range = requirement.range(of: "!=") { return label(String(requirement[..<range.lowerBound])) != requirement[range.upperBound...].trimmingCharacters(in: .whitespaces) }
            if let range = requirement.range(of: "==") ?? requirement.range(of: "=") {
                return label(String(requirement[..<range.lowerBound])) == requirement[range.upperBound...].trimmingCharacters(in: .whitespaces)
            }
            if requirement.hasPrefix("!") { return label(String(requirement.dropFirst())) == nil }
            return label(requirement) != nil
        }
    }
}
