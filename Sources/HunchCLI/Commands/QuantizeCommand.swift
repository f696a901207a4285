import Foundation
import HunchCore

/// `hunch quantize INPUT.gguf OUTPUT.gguf`: a copy of a model with its matrices
/// stored as Q8_0, holding exactly the int8 weights hunch computes at load.
struct QuantizeCommand: HunchCommand {
    static let spec = CommandSpec(
        name: "quantize",
        summary: "Write a copy of a model with its matrices stored as Q8_0, as hunch keeps them in memory.",
        usage: "[options] INPUT.gguf OUTPUT.gguf",
        options: [
            OptionSpec(["--threads", "-t"], value: "N", help: "Threads for the conversion (default: one per CPU)."),
        ],
        discussion: """
            Every matrix hunch runs as int8 (attention, feed-forward, output projection and token
            embedding) is stored as GGML Q8_0 with the scales and values hunch computes when it loads
            INPUT.gguf, so OUTPUT.gguf gives bit-identical logits in hunch and also runs in llama.cpp.
            Norms, biases and all metadata are copied; general.file_type becomes 7 (MOSTLY_Q8_0).
            The file is written under a temporary name in the directory of OUTPUT.gguf and renamed
            when complete, so OUTPUT.gguf never contains a partial file. An existing OUTPUT.gguf is replaced.
            """,
        maximumPositionals: 2)

    let inputPath: String
    let outputPath: String
    let threadCount: Int

    init(arguments: ParsedArguments) throws(UsageError) {
        inputPath = try arguments.positional(0, name: "an input model (INPUT.gguf)")
        outputPath = try arguments.positional(1, name: "an output path (OUTPUT.gguf)")
        if let threads = arguments.string("--threads") {
            guard let count = Int(threads), count >= 1, count <= 1024 else {
                throw .invalidValue(option: "--threads", value: threads, expected: "a whole number from 1 to 1024")
            }
            threadCount = count
        } else {
            threadCount = ThreadPool.processorCount
        }
    }

    func run(console: Console) async throws -> Int32 {
        let quantizer = ModelQuantizer(inputPath: inputPath, outputPath: outputPath, quantizedBy: "hunch \(HunchCLI.version)")
        let display = QuantizeProgressDisplay(console: console)
        let started = ContinuousClock.now
        let summary: ModelQuantizer.Summary
        do {
            summary = try quantizer.run(pool: ThreadPool(threadCount: threadCount), progress: display.handle)
        } catch {
            display.finish()
            throw error
        }
        display.finish()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        console.write(
            "wrote \(summary.outputPath): \(summary.convertedCount) tensors as Q8_0, \(summary.copiedCount) copied, "
                + "\(FetchProgressDisplay.megabytes(UInt64(summary.byteCount))) in \(FetchProgressDisplay.fixed(seconds)) s\n")
        return ExitCode.success
    }
}

/// Shows the progress of `hunch quantize` on standard error: one line redrawn in
/// place on a terminal, otherwise a line at every tenth of the output.
final class QuantizeProgressDisplay {
    private let console: Console
    private let interactive: Bool
    private var lineVisible = false
    /// Tenths of the output reported so far, for the line-per-step mode.
    private var reportedTenths = 0

    init(console: Console) {
        self.console = console
        interactive = console.errorIsTerminal
    }

    func handle(_ progress: ModelQuantizer.Progress) {
        let percent = progress.totalBytes > 0 ? progress.bytesWritten * 100 / progress.totalBytes : 100
        let counts = "\(progress.tensorsWritten)/\(progress.tensorCount) tensors"
        let size = "\(FetchProgressDisplay.megabytes(UInt64(progress.bytesWritten), unit: false))/"
            + FetchProgressDisplay.megabytes(UInt64(progress.totalBytes))
        if interactive {
            let conversion = progress.sourceType == progress.storedType
                ? progress.sourceType.name : "\(progress.sourceType.name) -> \(progress.storedType.name)"
            console.writeError("\r\u{1B}[K\(percent)% \(counts), \(size): \(progress.tensorName) (\(conversion))")
            lineVisible = true
        } else if percent / 10 > reportedTenths || progress.tensorsWritten == progress.tensorCount {
            reportedTenths = percent / 10
            console.writeError("quantize: \(percent)% (\(counts), \(size))\n")
        }
    }

    /// Ends the redrawn line before the summary or an error message.
    func finish() {
        if lineVisible {
            console.writeError("\n")
            lineVisible = false
        }
    }
}
