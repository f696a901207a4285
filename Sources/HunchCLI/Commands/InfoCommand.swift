import Foundation
import HunchCore

/// `hunch info [MODEL.gguf]`: what a model file contains (by default, the default target and draft).
struct InfoCommand: HunchCommand {
    static let spec = CommandSpec(
        name: "info",
        summary: "Show a model's architecture, sizes, quantisation and tokenizer.",
        usage: "[options] [MODEL.gguf]",
        options: [
            OptionSpec(["--json"], help: "Print one JSON object instead of text."),
            OptionSpec(["--metadata"], help: "Also list every metadata key with its type and a short value."),
        ],
        discussion: """
            Without MODEL.gguf, describes the default target and draft models, downloading them first if needed.
            Exits with status 1 when the file is not a valid GGUF file, or when its
            metadata does not describe a model hunch can run (the rest is still shown).
            """,
        maximumPositionals: 1)

    let path: String?
    let json: Bool
    let listMetadata: Bool

    init(arguments: ParsedArguments) throws(UsageError) {
        path = arguments.positionals.first
        json = arguments.flag("--json")
        listMetadata = arguments.flag("--metadata")
    }

    func run(console: Console) async throws -> Int32 {
        guard let path else { return try await runDefaultPair(console: console) }
        let report = ModelReport(gguf: try GGUFFile(path: path))
        if json {
            console.write(report.json(includeMetadata: listMetadata) + "\n")
        } else {
            console.write(report.textLines(includeMetadata: listMetadata).joined(separator: "\n") + "\n")
        }
        // The report is printed, but a model hunch cannot run still fails the command.
        if let error = report.configError { throw error }
        return ExitCode.success
    }
}

// MARK: - Text

extension ModelReport {
    /// Width of the label column in the text report.
    static let labelWidth = 17

    func textLines(includeMetadata: Bool) -> [String] {
        var lines: [String] = []
        func add(_ label: String, _ value: String) {
            lines.append((label + ":").padding(toLength: Self.labelWidth, withPad: " ", startingAt: 0) + value)
        }

        add("file", path)
        add("size", "\(Self.byteSize(fileSize)) (\(fileSize) bytes)")
        add("GGUF version", "\(ggufVersion)")
        add("architecture", architecture ?? "none")
        add("name", name ?? "none")
        add("parameters", "\(Self.count(parameterCount)) (\(parameterCount))")

        if let config {
            add("layers", "\(config.layerCount)")
            add("hidden size", "\(config.hiddenSize)")
            add("heads", "\(config.headCount) (\(config.kvHeadCount) KV heads)")
            add("head dim", "\(config.headDim)")
            add("FFN size", "\(config.ffnSize)")
            add("context length", "\(config.contextLength) tokens")
            add("RoPE", Self.ropeDescription(config))
            add("RMS epsilon", "\(config.rmsNormEpsilon)")
            add("vocab size", "\(config.vocabSize)")
            add("output", config.tiedOutput ? "tied to token_embd.weight" : "separate output.weight")
        } else if let configError {
            add("configuration", "invalid: \(configError)")
        }

        add("tensors", "\(tensorCount)")
        for usage in typeUsage {
            let count = "\(usage.tensorCount) " + (usage.tensorCount == 1 ? "tensor" : "tensors")
            let type = usage.type.padding(toLength: 8, withPad: " ", startingAt: 0)
            lines.append("  \(type)\(count), \(Self.byteSize(usage.byteCount))")
        }
        if !unsupportedTensors.isEmpty {
            let names = unsupportedTensors.map { "\($0.name) (\($0.type))" }
            let count = unsupportedTensors.count == 1 ? "1 tensor" : "\(unsupportedTensors.count) tensors"
            add("unsupported", "\(count) of a type hunch cannot load: \(names.joined(separator: ", "))")
        }

        var tokenizer = tokenizerModel ?? "none"
        if let tokenizerPre { tokenizer += " (pre: \(tokenizerPre))" }
        if let tokenCount { tokenizer += ", \(tokenCount) tokens" }
        add("tokenizer", tokenizer)
        for (tokenName, _) in Self.specialTokenKeys {
            guard let token = specialTokens[tokenName] else {
                add("\(tokenName) token", "none")
                continue
            }
            add("\(tokenName) token", "\(token.id) " + (token.text.map(Self.quoted) ?? "(not in the vocabulary)"))
        }
        add("chat template", chatTemplate.displayName)

        if includeMetadata {
            lines.append("")
            lines.append("metadata (\(metadata.count) keys):")
            for entry in metadata {
                lines.append("  \(entry.key) (\(entry.type)): \(entry.value)")
            }
        }
        return lines
    }

    static func ropeDescription(_ config: ModelConfig) -> String {
        var parts = ["base \(number(config.ropeBase))", "\(config.ropeLayout.rawValue) layout"]
        if config.ropeDimensionCount != config.headDim {
            parts.append("\(config.ropeDimensionCount) of \(config.headDim) dimensions")
        }
        if config.ropeScale != 1 {
            parts.append("linear scale \(number(config.ropeScale))")
        }
        return parts.joined(separator: ", ")
    }

    /// Formats a Float without a trailing ".0" when it is a whole number, e.g. "1000000" rather than "1e+06".
    static func number(_ value: Float) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Formats a byte count in binary units with one decimal, e.g. "93.8 MiB".
    static func byteSize(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// Formats a count with a metric suffix, e.g. "134.5M" or "1.78B".
    static func count(_ value: Int) -> String {
        let number = Double(value)
        if number >= 1e9 { return String(format: "%.2fB", number / 1e9) }
        if number >= 1e6 { return String(format: "%.1fM", number / 1e6) }
        if number >= 1e3 { return String(format: "%.1fK", number / 1e3) }
        return "\(value)"
    }

    /// Puts a token's text in double quotes, escaping control characters, quotes and backslashes.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
