import Foundation
import HunchCore

// Loads a model once and reports the wall time, the int8 weight bytes and the
// resident memory from /proc/self/status. Run in release:
//
//     swift run -c release ModelLoadBenchmark [MODEL.gguf] [THREADS]
//
// Defaults: the target model in the model cache, and every online CPU.

// MARK: - Arguments

let arguments = CommandLine.arguments
let modelPath: String
if arguments.count > 1 {
    modelPath = arguments[1]
} else {
    do {
        modelPath = try ModelCache().directory + "/qwen2.5-coder-1.5b-instruct.gguf"
    } catch {
        FileHandle.standardError.write(Data("ModelLoadBenchmark: \(error)\n".utf8))
        exit(1)
    }
}
let threadCount = arguments.count > 2 ? Int(arguments[2]) ?? ThreadPool.processorCount : ThreadPool.processorCount

/// Returns the value of `field` (in kB) in /proc/self/status, in bytes.
func statusBytes(_ field: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        let digits = line.dropFirst(field.count + 1).filter(\.isNumber)
        return (Int(digits) ?? 0) * 1024
    }
    return 0
}

func megabytes(_ bytes: Int) -> String {
    String(format: "%.1f MB", Double(bytes) / 1e6)
}

// MARK: - Measurement

let pool = ThreadPool(threadCount: threadCount)
let residentBefore = statusBytes("VmRSS")
let clock = ContinuousClock()
let started = clock.now
let model: LanguageModel
do {
    model = try LanguageModel(path: modelPath, pool: pool)
} catch {
    FileHandle.standardError.write(Data("ModelLoadBenchmark: cannot load \(modelPath): \(error)\n".utf8))
    exit(1)
}
let elapsed = clock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18

let weightBytes = model.weights.matrixByteCount
let resident = statusBytes("VmRSS")
let peak = statusBytes("VmHWM")
print("model:              \(modelPath)")
print("threads:            \(threadCount)")
print("load time:          \(String(format: "%.2f s", seconds))")
print("int8 weight bytes:  \(megabytes(weightBytes))")
print("resident before:    \(megabytes(residentBefore))")
print("resident after:     \(megabytes(resident)) (\(String(format: "%.2f", Double(resident) / Double(weightBytes)))x the weights)")
print("peak resident:      \(megabytes(peak)) (\(String(format: "%.2f", Double(peak) / Double(weightBytes)))x the weights)")
