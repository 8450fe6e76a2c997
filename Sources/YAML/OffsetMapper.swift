/// Turns libyaml's character indexes into byte offsets of a UTF-8 input.
///
/// ASCII input maps one to one; otherwise a cursor walks forward over the bytes, restarting
/// from the beginning only when asked for an earlier index (rare: marks arrive in order).
struct OffsetMapper {
    private let bytes: [UInt8]
    private let isASCII: Bool
    private var characterIndex = 0
    private var byteOffset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.isASCII = bytes.withUnsafeBufferPointer(OffsetMapper.allASCII)
        // libyaml skips a UTF-8 byte-order mark without counting it.
        if !isASCII, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { byteOffset = 3 }
    }

    private static func allASCII(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var accumulated: UInt64 = 0
        var index = 0
        let count = buffer.count
        if let base = buffer.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                accumulated |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                index += 8
            }
        }
        while index < count {
            accumulated |= UInt64(buffer[index])
            index += 1
        }
        return accumulated & 0x8080_8080_8080_8080 == 0
    }

    mutating func offset(ofCharacter index: Int) -> Int {
        if isASCII { return index }
        if index < characterIndex {
            characterIndex = 0
            byteOffset = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        }
        while characterIndex < index && byteOffset < bytes.count {
            let lead = bytes[byteOffset]
            byteOffset += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            characterIndex += 1
        }
        return min(byteOffset, bytes.count)
    }
}
