import Basics
import Testing
@testable import YAML

/// Mutated YAML never crashes the parser; whatever parses to a value survives emit → parse.
@Suite struct MutationTests {
    static let seeds = [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {a: b}\ndata:\n  k: |\n    line\n",
        "- a\n- [1, 2, {b: c}]\n- &x {k: v}\n- *x\n- <<: *x\n  z: 1\n",
        "a: 'q''s'\nb: \"e\\n\\t\"\nc: >\n  folded\n  text\n---\n- ~\n- 0x1F\n- .inf\n",
        "? complex\n: value\nlist:\n- - nested\n  - deeper: [x]\n",
    ]
    static let alphabet = Array(" \n\t:-?[]{},#&*!|>'\"%@`<~0x.é\u{85}\r\\")

    @Test(arguments: 0..<400)
    func mutatedInputs(_ seed: Int) throws {
        var random = RandomTrees(seed: UInt64(seed) &+ 1000)
        var bytes = Array(Self.seeds[seed % Self.seeds.count].utf8)
        for _ in 0..<(1 + random.below(6)) {
            let position = random.below(bytes.count + 1)
            let character = Array(String(Self.alphabet[random.below(Self.alphabet.count)]).utf8)
            switch random.below(3) {
            case 0: bytes.insert(contentsOf: character, at: position)
            case 1: if position < bytes.count { bytes.remove(at: position) }
            default: if position < bytes.count { bytes.replaceSubrange(position...position, with: character) }
            }
        }
        guard let values = try? YAML.values(bytes, file: "mutated") else { return }
        for value in values {
            let emitted = YAMLEmitter.emit(value)
            let reparsed = try YAML.value(emitted, file: "emitted")
            #expect(reparsed == value, "seed \(seed): \(String(decoding: bytes, as: UTF8.self).debugDescription)\nemitted:\n\(emitted)")
        }
    }

    @Test func errorsNeverLoseTheirPosition() {
        for text in ["a: [", "a: {", "a: \"", "- a\nb: c", "a:\n  - b\n c: d", "*", "!<x", "%YAML 9.9\n---\na"] {
            let error = #expect(throws: DiagnosticError.self) { try YAMLParser.parse(text, file: "bad.yaml") }
            let location = error?.diagnostics.first?.location
            #expect(location?.file == "bad.yaml" && (location?.line ?? 0) >= 1 && (location?.column ?? 0) >= 1, "\(text)")
        }
    }
}
