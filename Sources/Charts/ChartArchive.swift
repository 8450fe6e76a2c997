import Basics
import CZlib

/// Packaged charts (`.tgz`): gzip-compressed tar archives with one top-level chart folder.
enum ChartArchive {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The archive's files, as a file tree.
    static func unpack(_ bytes: [UInt8], name: String) throws -> MemoryFileTree {
        let tar = try gunzip(bytes)
        return MemoryFileTree(displayName: name, files: try untar(tar))
    }

    /// Inflates gzip data (zlib with gzip headers).
    static func gunzip(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "cannot start decompression")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        let limit = 512 << 20
        var status: Int32 = Z_OK
        try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            repeat {
                try chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = uInt(chunkBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        throw Failure(description: "not a gzip archive or corrupt (zlib status \(status))")
                    }
                    output.append(contentsOf: chunkBuffer[0..<(chunkBuffer.count - Int(stream.avail_out))])
                }
                if output.count > limit { throw Failure(description: "archive expands beyond \(limit >> 20) MiB") }
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else { throw Failure(description: "truncated gzip archive") }
        return output
    }

    /// Regular files of a tar archive (ustar, with GNU long names and pax paths), by normalized path.
    static func untar(_ data: [UInt8]) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        var offset = 0
        var longName: String?
        func text(_ range: Range<Int>) -> String {
            String(decoding: data[range].prefix { $0 != 0 }, as: UTF8.self)
        }
        while offset + 512 <= data.count {
            let header = offset
            if data[header..<(header + 512)].allSatisfy({ $0 == 0 }) { break }
            guard let size = octal(data[(header + 124)..<(header + 136)]) else {
                throw Failure(description: "bad tar header (size '\(text((header + 124)..<(header + 136)))')")
            }
            let type = data[header + 156]
            var name = text(header..<(header + 100))
            let prefix = text((header + 345)..<(header + 500))
            if !prefix.isEmpty { name = prefix + "/" + name }
            let body = header + 512
            guard body + size <= data.count else { throw Failure(description: "truncated tar archive") }
            let content = Array(data[body..<(body + size)])
            switch type {
            case UInt8(ascii: "L"):
                longName = String(decoding: content.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "x"):
                for record in String(decoding: content, as: UTF8.self).split(separator: "\n") {
                    if let range = record.range(of: " path=") { longName = String(record[range.upperBound...]) }
                }
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                let path = longName ?? name
                longName = nil
                guard let normalized = RepoPath.normalize(path), !normalized.isEmpty else {
                    throw Failure(description: "archive entry '\(path)' leaves the archive")
                }
                files[normalized] = content
            default:
                longName = nil
            }
            offset = body + (size + 511) / 512 * 512
        }
        return files
    }
}

/// A tar header's octal number: digits between optional spaces, ended by a space or NUL.
private func octal(_ field: ArraySlice<UInt8>) -> Int? {
    var value = 0, digits = 0, ended = false
    for byte in field {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "7") where !ended:
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            if digits > 20 { return nil }
        case 0: return digits > 0 ? value : nil
        case UInt8(ascii: " ") where digits == 0: continue
        case UInt8(ascii: " "): ended = true
        default: return nil
        }
    }
    return digits > 0 ? value : nil
}
