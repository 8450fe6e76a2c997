// The libFuzzer driver shared by every harness: `fuzz TARGET [libFuzzer flags] [corpus folders]`.
// scripts/fuzz builds this executable with -sanitize=fuzzer (which links libFuzzer and exports
// LLVMFuzzerRunDriver); a normal build links it too, and then it only says how to run it.
import Foundation

/// One harness: a name (its corpus folder under fuzz/corpus), what it checks, and the function
/// libFuzzer calls with each input. A harness returns normally for inputs that are refused with an
/// error and stops the process (fatalError) when a property it checks does not hold.
struct Harness: Sendable {
    let name: String
    let checks: String
    let run: @Sendable ([UInt8]) -> Void
}

let harnesses: [Harness] = [
    yamlHarness, yamlEditHarness, templateHarness, setValuesHarness, chartHarness, kubeconfigHarness,
    repositoryHarness, jsonSchemaHarness, jmesPathHarness, celHarness, kyvernoHarness, kustomizeHarness,
    webhookHarness,
]

nonisolated(unsafe) var selectedHarness: Harness?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedHarness?.run(bytes)
    return 0
}

@_cdecl("fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    typealias Driver = @convention(c) (UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                       @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
    let usage = "usage: fuzz TARGET [libFuzzer flags] [corpus folders]; run it with scripts/fuzz TARGET [SECONDS]\ntargets:\n"
        + harnesses.map { "  \($0.name): \($0.checks)" }.joined(separator: "\n") + "\n"
    guard argc >= 2, let argv, let name = argv[1].map({ String(cString: $0) }),
          let harness = harnesses.first(where: { $0.name == name }) else {
        FileHandle.standardError.write(Data(usage.utf8))
        return 2
    }
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
        FileHandle.standardError.write(Data(("this build has no libFuzzer; " + usage).utf8))
        return 2
    }
    selectedHarness = harness
    // libFuzzer sees the program name and the flags, not the target.
    var arguments: [UnsafeMutablePointer<CChar>?] = [argv[0]] + (2..<Int(argc)).map { argv[$0] } + [nil]
    var count = argc - 1
    return arguments.withUnsafeMutableBufferPointer { buffer in
        var pointer = buffer.baseAddress
        return unsafeBitCast(symbol, to: Driver.self)(&count, &pointer, fuzzOneInput)
    }
}

/// The input split at lines holding only `@@@@` into `count` parts (missing parts are empty), so
/// one input can carry several files.
func parts(_ bytes: [UInt8], _ count: Int) -> [String] {
    var result = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n@@@@\n")
    if result.count > count { result = Array(result[..<(count - 1)]) + [result[(count - 1)...].joined(separator: "\n@@@@\n")] }
    return result + Array(repeating: "", count: max(0, count - result.count))
}

/// Stops the process with what failed and the input that made it fail.
func failed(_ property: String, _ details: String) -> Never {
    fatalError("\(property)\n\(details)")
}
