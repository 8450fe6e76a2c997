import Basics
import Crypto
import Foundation

/// Where Sprig's random functions get their randomness. Deterministic sources make a render
/// repeatable (a password generated with `randAlphaNum` does not change on every sync, which
/// Argo CD users know as false drift); `.system` gives Helm's behaviour back.
public enum RandomSource: Sendable {
    /// Seeded: the same seed and call sequence give the same values.
    case seeded(String)
    /// The system's random generator, as Helm uses it.
    case system
}

/// Random numbers for templates: a SplitMix64 stream per template, seeded from the source's seed
/// and the template's name (so adding a template does not change another's values), or the
/// system generator.
final class TemplateRandom: @unchecked Sendable {
    private let lock = NSLock()
    fileprivate let seed: String?
    private var states: [String: SplitMix64] = [:]

    init(_ source: RandomSource) {
        switch source {
        case .seeded(let seed): self.seed = seed
        case .system: seed = nil
        }
    }

    /// A generator for the calls made while executing `template`.
    func stream(_ template: String) -> Stream { Stream(random: self, template: template) }

    struct Stream {
        let random: TemplateRandom
        let template: String

        func next() -> UInt64 { random.next(template) }
        /// Whether the values repeat from render to render (a seeded source).
        var isSeeded: Bool { random.seed != nil }
        func bytes(_ count: Int) -> [UInt8] { (0..<max(0, count)).map { _ in UInt8(truncatingIfNeeded: next()) } }
        func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
        func string(count: Int, from alphabet: [Character]) -> String {
            String((0..<max(0, count)).map { _ in alphabet[below(alphabet.count)] })
        }
    }

    private func next(_ template: String) -> UInt64 {
        guard let seed else { return UInt64.random(in: .min ... .max) }
        return lock.withLock {
            var generator = states[template] ?? SplitMix64(seed: Array(SHA256.hash(data: Array((seed + "\u{0}" + template).utf8)))
                .prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
            let value = generator.next()
            states[template] = generator
            return value
        }
    }
}

enum SprigRandom {
    static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let digits = Array("0123456789")
    static let ascii = Array((32...126).map { Character(UnicodeScalar($0)) })

    static let functions: [String: TemplateFunction] = [
            "randAlpha": TemplateFunction(arguments: 1) { context, a in
                .string(context.random.string(count: try SV.int(a[0]), from: letters))
            },
            "randAlphaNum": TemplateFunction(arguments: 1) { context, a in
                .string(context.random.string(count: try SV.int(a[0]), from: letters + digits))
            },
            "randNumeric": TemplateFunction(arguments: 1) { context, a in
                .string(context.random.string(count: try SV.int(a[0]), from: digits))
            },
            "randAscii": TemplateFunction(arguments: 1) { context, a in
                .string(context.random.string(count: try SV.int(a[0]), from: ascii))
            },
            "randBytes": TemplateFunction(arguments: 1) { context, a in
                .string(Data(context.random.bytes(try SV.int(a[0]))).base64EncodedString())
            },
            "randInt": TemplateFunction(arguments: 2) { context, a in
                let random = context.random
                let low = try SV.int(a[0]), high = try SV.int(a[1])
                guard high > low else { throw FunctionError("invalid argument to Intn") }
                return .int(Int64(low + random.below(high - low)))
            },
            "uuidv4": TemplateFunction(arguments: 0) { context, _ in
                let random = context.random
                var bytes = (0..<16).map { _ in UInt8(random.below(256)) }
                bytes[6] = bytes[6] & 0x0F | 0x40
                bytes[8] = bytes[8] & 0x3F | 0x80
                let hex = bytes.map { GoFormat.hexByte($0, upper: false) }.joined()
                let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
                return .string(parts.joined(separator: "-"))
            },
            "shuffle": TemplateFunction(arguments: 1) { context, a in
                let random = context.random
                var characters = Array(try SV.string(a[0]))
                for i in stride(from: characters.count - 1, to: 0, by: -1) { characters.swapAt(i, random.below(i + 1)) }
                return .string(String(characters))
            },
        ]
}
