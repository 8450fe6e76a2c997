// A libFuzzer harness for the YAML parser and composer (aliases, merge keys, deep nesting) and the
// emitter round trip: every input must parse or be refused with an error, never crash or hang,
// and a value that parses must read back equal after it is emitted.
// Built and run by scripts/fuzz (swift build -Xswiftc -sanitize=fuzzer); a normal build links it
// too, and then it only says how to run it.
import Basics
import Foundation
import YAML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let documents = try? YAMLParser.parse(bytes, file: "input.yaml") else { return 0 }
    for document in documents {
        guard let value = try? document.value(file: "input.yaml") else { continue }
        let emitted = YAMLEmitter.emit(value)
        guard let back = try? YAML.value(emitted) else {
            fatalError("the emitter wrote YAML the parser refuses:\n\(emitted)")
        }
        if back != value && !containsNaN(value) {
            fatalError("the round trip changed the value:\n\(value)\nemitted:\n\(emitted)\nread back:\n\(back)")
        }
    }
    return 0
}

func containsNaN(_ value: Value) -> Bool {
    switch value {
    case .float(let d): return d.isNaN
    case .array(let items): return items.contains(where: containsNaN)
    case .object(let object): return object.contains { containsNaN($0.value) }
    default: return false
    }
}

@_cdecl("fuzz_yaml_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    typealias Driver = @convention(c) (UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                       @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
        FileHandle.standardError.write(Data("fuzz-yaml is a libFuzzer harness: run it with scripts/fuzz yaml [SECONDS]\n".utf8))
        return 2
    }
    var count = argc
    var arguments = argv
    return unsafeBitCast(symbol, to: Driver.self)(&count, &arguments, fuzzYAML)
}
