import Foundation
import Testing
@testable import HunchCLI
@testable import HunchCore

@Suite("hunch quantize command")
struct QuantizeCommandTests {
    @Test("usage mistakes give the exact message and status 2", arguments: [
        (["quantize"], "hunch quantize: 'hunch quantize' needs an input model (INPUT.gguf). Run 'hunch quantize --help' for usage.\n"),
        (["quantize", "in.gguf"],
         "hunch quantize: 'hunch quantize' needs an output path (OUTPUT.gguf). Run 'hunch quantize --help' for usage.\n"),
        (["quantize", "a", "b", "c"], "hunch quantize: unexpected argument 'c' for 'hunch quantize'.\n"),
        (["quantize", "--threads", "0", "a", "b"],
         "hunch quantize: invalid value '0' for '--threads': expected a whole number from 1 to 1024.\n"),
    ])
    func usageErrors(arguments: [String], message: String) async {
        let result = await runHunch(arguments)
        #expect(result.status == ExitCode.usage)
        #expect(result.output == "")
        #expect(result.error == message)
    }

    @Test("help describes the output")
    func help() async {
        let result = await runHunch(["quantize", "--help"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("usage: hunch quantize [options] INPUT.gguf OUTPUT.gguf\n"))
        #expect(result.output.contains("general.file_type becomes 7 (MOSTLY_Q8_0)"))
        #expect(await runHunch(["--help"]).output.contains("  quantize    Write a copy of a model with its matrices stored as Q8_0"))
    }

    @Test("SmolLM2 is written as Q8_0")
    func realModel() async throws {
        let input = try CLITestModels.path("smollm2-135m-instruct.gguf")
        let output = try writeTemporaryFile([], name: "smollm2-q8_0.gguf")
        defer { try? FileManager.default.removeItem(atPath: (output as NSString).deletingLastPathComponent) }

        let result = await runHunch(["quantize", "--threads", "1", input, output])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasPrefix("wrote \(output): 211 tensors as Q8_0, 61 copied, 144.8 MB in "), "\(result.output)")
        let lines = result.error.split(separator: "\n")
        #expect(lines.last == "quantize: 100% (272/272 tensors, 144.8/144.8 MB)")
        #expect(lines.count <= 11, "at most one line per tenth of the output")

        let file = try GGUFFile(path: output)
        #expect(file.metadata["general.file_type"] == .uint32(7))
        #expect(file.metadata["general.quantized_by"] == .string("hunch \(HunchCLI.version)"))
        #expect(file.tensors.filter { $0.type == .q8_0 }.count == 211)
    }

    @Test("errors name the file and exit with status 1")
    func failures() async throws {
        let tiny = try TinyGGUF.llama().write()
        let narrow = await runHunch(["quantize", tiny, tiny + ".q8_0"])
        #expect(narrow.status == ExitCode.failure)
        #expect(narrow.error == "hunch quantize: error: cannot quantize \(tiny): tensor \"token_embd.weight\" has rows of 8 weights, "
            + "but Q8_0 stores rows in blocks of 32, so hunch cannot run this model either.\n")

        let same = await runHunch(["quantize", tiny, tiny])
        #expect(same.status == ExitCode.failure)
        #expect(same.error == "hunch quantize: error: the output \(tiny) is the input file \(tiny); write the Q8_0 copy to another path.\n")
        #expect(!FileManager.default.fileExists(atPath: tiny + ".q8_0"))
    }
}
