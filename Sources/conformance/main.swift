import Foundation

/// `conformance SUITE FOLDER [--verbose]`: runs a third-party conformance suite and prints
/// `<group>: N passed, M failed` per group and `N passed, M failed` for the suite as its last line.
/// Exits 0 whatever the counts (2 when it cannot run).

enum Outcome {
    case pass
    case fail(String)
}

struct Group {
    var name: String
    var passed = 0
    var failures: [(String, String)] = []

    init(name: String) { self.name = name }

    mutating func record(_ caseName: String, _ outcome: Outcome) {
        switch outcome {
        case .pass: passed += 1
        case .fail(let why): failures.append((caseName, why))
        }
    }
}

protocol Suite {
    func run(folder: URL, verbose: Bool) throws -> [Group]
    /// The groups whose counts add up to the suite's total (each case counted once).
    var totalled: Set<String> { get }
}

struct RunnerError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

let suites: [String: any Suite] = [
    "yaml-test-suite": YAMLTestSuite(), "text-template": TextTemplateSuite(), "sprig": SprigSuite(),
    "helm-goldens": HelmGoldensSuite(), "kyverno-policies": KyvernoSuite(), "kustomize-krusty": KustomizeKrustySuite(),
]

var arguments = Array(CommandLine.arguments.dropFirst())
let verbose = arguments.contains("--verbose")
arguments.removeAll { $0 == "--verbose" }
guard arguments.count == 2, let suite = suites[arguments[0]] else {
    FileHandle.standardError.write(Data("usage: conformance SUITE FOLDER [--verbose]; suites: \(suites.keys.sorted().joined(separator: ", "))\n".utf8))
    exit(2)
}
do {
    let groups = try suite.run(folder: URL(fileURLWithPath: arguments[1]), verbose: verbose)
    for group in groups {
        print("\(group.name): \(group.passed) passed, \(group.failures.count) failed")
        if verbose {
            for (name, why) in group.failures { print("  FAIL \(name): \(why)") }
        }
    }
    // The suite's total counts each case once: the groups named in `totalled` partition the cases.
    let total = groups.filter { suite.totalled.contains($0.name) }
    print("\(total.map(\.passed).reduce(0, +)) passed, \(total.map(\.failures.count).reduce(0, +)) failed")
} catch {
    FileHandle.standardError.write(Data("conformance: \(error)\n".utf8))
    exit(2)
}
