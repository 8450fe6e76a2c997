import Basics
import CZlib
import Foundation

/// `helm package`, for pushing: a chart folder as a gzip-compressed tar archive with one top-level
/// `NAME/` folder, files `.helmignore` excludes left out, the chart checked by loading it first.
public enum ChartPackage {
    /// The chart at `path` (a folder, or an archive passed through as it is), with its name and version.
    public static func pack(_ tree: any FileTree, path: String) throws(DiagnosticError) -> (name: String, version: String, metadata: Value, bytes: [UInt8]) {
        let chart = try ChartLoader.load(tree, path: path)
        if path.hasSuffix(".tgz") || path.hasSuffix(".tar.gz") {
            do { return (chart.name, chart.version, chart.metadata, try tree.read(path)) } catch {
                throw DiagnosticError(code: "chart.archive", at: SourceLocation(file: path, line: 1, column: 1), "cannot read the packaged chart: \(error)")
            }
        }
        let ignore = HelmIgnore((try? tree.read(path + "/.helmignore")).map { String(decoding: $0, as: UTF8.self) } ?? "")
        var folders: [String: Bool] = [:]
        var entries: [(String, [UInt8])] = []
        do {
            let listed = try tree.listFiles(under: path, descend: { folder in
                !ignore.ignoresFolder(String(folder.dropFirst(path.count + 1)), folders: &folders)
            })
            for file in listed {
                let relative = String(file.path.dropFirst(path.count + 1))
                if ignore.ignoresFile(relative, folders: &folders) { continue }
                entries.append((chart.name + "/" + relative, try tree.read(file)))
            }
            return (chart.name, chart.version, chart.metadata, try gzip(tar(entries)))
        } catch {
            throw DiagnosticError(code: "chart.archive", at: SourceLocation(file: path, line: 1, column: 1), "cannot package the chart: \(error)")
        }
    }

    /// A ustar archive of regular files (mode 0644, time 0, so a folder packs to the same bytes);
    /// paths longer than 100 bytes split into prefix and name, or a PAX header when they cannot.
    static func tar(_ files: [(path: String, bytes: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        func header(name: String, prefix: String, size: Int, type: UInt8) {
            var block = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int, width: Int) {
                for (i, byte) in text.utf8.prefix(width).enumerated() { block[offset + i] = byte }
            }
            func octal(_ value: Int, at offset: Int, width: Int) {
                put(String(repeating: "0", count: max(0, width - 1 - String(value, radix: 8).count)) + String(value, radix: 8), at: offset, width: width - 1)
            }
            put(name, at: 0, width: 100)
            octal(0o644, at: 100, width: 8)
            octal(0, at: 108, width: 8)
            octal(0, at: 116, width: 8)
            octal(size, at: 124, width: 12)
            octal(0, at: 136, width: 12)
            block[156] = type
            put("ustar", at: 257, width: 6)
            put("00", at: 263, width: 2)
            put(prefix, at: 345, width: 155)
            for i in 148..<156 { block[i] = UInt8(ascii: " ") }
            let sum = block.reduce(0) { $0 + Int($1) }
            put(String(repeating: "0", count: max(0, 6 - String(sum, radix: 8).count)) + String(sum, radix: 8), at: 148, width: 6)
            block[154] = 0
            block[155] = UInt8(ascii: " ")
            out += block
        }
        func body(_ bytes: [UInt8]) {
            out += bytes
            out += [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
        }
        for (path, bytes) in files {
            let utf8 = Array(path.utf8)
            if utf8.count <= 100 {
                header(name: path, prefix: "", size: bytes.count, type: UInt8(ascii: "0"))
            } else if let slash = utf8.indices.reversed().first(where: { utf8[$0] == UInt8(ascii: "/") && $0 <= 155 && utf8.count - $0 - 1 <= 100 }) {
                header(name: String(decoding: utf8[(slash + 1)...], as: UTF8.self), prefix: String(decoding: utf8[..<slash], as: UTF8.self),
                       size: bytes.count, type: UInt8(ascii: "0"))
            } else {
                // A PAX record "LEN path=PATH\n", LEN counting itself.
                let record = " path=\(path)\n"
                var length = record.utf8.count + 1
                while String(length).count + record.utf8.count != length { length += 1 }
                let pax = Array((String(length) + record).utf8)
                header(name: "PaxHeader", prefix: "", size: pax.count, type: UInt8(ascii: "x"))
                body(pax)
                header(name: String(decoding: utf8.suffix(100), as: UTF8.self), prefix: "", size: bytes.count, type: UInt8(ascii: "0"))
            }
            body(bytes)
        }
        out += [UInt8](repeating: 0, count: 1024)
        return out
    }

    /// Deflates with a gzip header (zlib, best compression).
    static func gzip(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ChartArchive.Failure(description: "cannot start compression")
        }
        defer { deflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = uInt(chunkBuffer.count)
                    status = deflate(&stream, Z_FINISH)
                    output.append(contentsOf: chunkBuffer[0..<(chunkBuffer.count - Int(stream.avail_out))])
                }
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else { throw ChartArchive.Failure(description: "compression failed (zlib status \(status))") }
        return output
    }
}
