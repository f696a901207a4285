// Throughput of the dequantisers on one core, built by scripts/bench-dequant
// together with the HunchCore GGUF, Support and Quant sources.
//
// Synthetic: each supported type decodes 2^16 elements of random blocks again
// and again. All f16 scales are 1.0, so no subnormal slow paths are taken. Source
// and output stay in cache, so this measures the arithmetic.
// Model: every tensor of the given GGUF file is decoded row by row into one
// reused buffer, after one untimed pass that pulls the file into the page cache.

import Foundation

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func report(_ label: String, elements: Int, bytes: Int, time: Double) {
    let name = label.padding(toLength: 8, withPad: " ", startingAt: 0)
    let rate = Double(elements) / time / 1e6
    let input = Double(bytes) / time / 1e9
    print("\(name) \(String(format: "%8.0f", rate)) M elements/s  \(String(format: "%6.2f", input)) GB/s read")
}

/// Offsets of the f16 super-block or block scales inside one block.
func scaleOffsets(_ type: GGMLType) -> [Int] {
    switch type {
    case .q4_0, .q8_0, .q5_0: [0]
    case .q4_1, .q5_1, .q4_K, .q5_K: [0, 2]
    case .q2_K: [80, 82]
    case .q3_K: [108]
    case .q6_K: [208]
    default: []
    }
}

func benchmarkSynthetic() {
    print("synthetic, 2^16 elements per call, in cache:")
    var generator = SystemRandomNumberGenerator()
    let count = 1 << 16
    let output = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { output.deallocate() }

    for type in GGMLType.allCases where type.isSupported {
        let layout = type.blockLayout
        let blockCount = count / layout.elements
        var raw = (0..<(blockCount * layout.bytes)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        if type == .f16 || type == .bf16 {
            // Keep values normal: clear the top exponent bit of every element.
            for i in stride(from: 1, to: raw.count, by: 2) { raw[i] &= 0x3F }
        } else if type == .f32 {
            for i in stride(from: 3, to: raw.count, by: 4) { raw[i] = 0x3F }
        }
        for block in 0..<blockCount {
            for offset in scaleOffsets(type) {
                raw[block * layout.bytes + offset] = 0x00
                raw[block * layout.bytes + offset + 1] = 0x3C
            }
        }
        let repeats = 400
        let time = raw.withUnsafeBytes { source in
            seconds {
                for _ in 0..<repeats {
                    dequantizeRow(type, source: source.baseAddress!, count: count, into: output)
                }
            }
        }
        report(type.name, elements: count * repeats, bytes: raw.count * repeats, time: time)
    }
}

func benchmarkModel(path: String) throws {
    let file = try GGUFFile(path: path)
    print("model \(path), row by row:")
    let longest = file.tensors.map(\.rowLength).max() ?? 0
    let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: longest)
    defer { output.deallocate() }

    let types = Set(file.tensors.map(\.type)).sorted { $0.rawValue < $1.rawValue }
    for type in types {
        let tensors = file.tensors.filter { $0.type == type }
        func decodeAll() throws {
            for tensor in tensors {
                for row in 0..<tensor.rowCount {
                    try file.dequantizeRow(of: tensor, row: row, into: output)
                }
            }
        }
        try decodeAll()
        var failure: Error?
        let time = seconds {
            do { try decodeAll() } catch { failure = error }
        }
        if let failure { throw failure }
        let elements = tensors.reduce(0) { $0 + $1.elementCount }
        let bytes = tensors.reduce(0) { $0 + $1.byteCount }
        report(type.name, elements: elements, bytes: bytes, time: time)
    }
}

@main
enum DequantBenchmark {
    static func main() throws {
        benchmarkSynthetic()
        for path in CommandLine.arguments.dropFirst() {
            try benchmarkModel(path: path)
        }
    }
}
