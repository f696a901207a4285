#if canImport(Glibc)
import Glibc
#endif
import HunchCore

/// `hunch tokenize -m MODEL TEXT`: the token ids and pieces of a text.
struct TokenizeCommand: HunchCommand {
    static let spec = CommandSpec(
        name: "tokenize",
        summary: "Show the tokens a model's vocabulary makes of a text.",
        usage: "-m MODEL.gguf [options] TEXT",
        options: [
            OptionSpec(["--model", "-m"], value: "MODEL.gguf", help: "The model whose vocabulary to use."),
            OptionSpec(["--special"], help: "Turn special-token texts such as <|im_start|> into those tokens."),
            OptionSpec(["--no-bos"], help: "Add no BOS or EOS token, even where the vocabulary requests them."),
            OptionSpec(["--json"], help: "Print one JSON object {\"ids\": [...], \"pieces\": [...]}."),
            OptionSpec(["--count"], help: "Print only the number of tokens."),
            OptionSpec(["--timings"], help: "Report the time to read the model file, build the tokenizer and encode, on standard error."),
        ],
        discussion: """
            TEXT '-' reads the text from standard input. Each output line holds a token id and its
            piece, with a space shown as ·, a newline as ↵, a tab as ⇥ and a byte that is not a whole
            UTF-8 character as <0xNN>.
            """,
        maximumPositionals: 1)

    enum Input: Equatable {
        case text(String)
        case standardInput
    }

    let modelPath: String
    let input: Input
    let parseSpecial: Bool
    let addSpecial: Bool
    let json: Bool
    let countOnly: Bool
    let timings: Bool

    init(arguments: ParsedArguments) throws(UsageError) {
        guard let modelPath = arguments.string("--model") else {
            throw .missingArgument(command: Self.spec.name, name: "a model (-m MODEL.gguf)")
        }
        self.modelPath = modelPath
        let text = try arguments.positional(0, name: "a text to tokenize (or '-' for standard input)")
        input = text == "-" ? .standardInput : .text(text)
        parseSpecial = arguments.flag("--special")
        addSpecial = !arguments.flag("--no-bos")
        json = arguments.flag("--json")
        countOnly = arguments.flag("--count")
        timings = arguments.flag("--timings")
        if json, countOnly { throw .conflictingOptions("--json", "--count") }
    }

    func run(console: Console) async throws -> Int32 {
        try run(console: console, readStandardInput: StandardInput.readAll)
    }

    /// Runs with `readStandardInput` supplying the bytes of standard input, so tests can feed it.
    func run(console: Console, readStandardInput: () throws -> [UInt8]) throws -> Int32 {
        let text: String
        switch input {
        case .text(let argument):
            text = argument
        case .standardInput:
            let bytes = try readStandardInput()
            if let offset = UTF8Repair.firstInvalidOffset(in: bytes) {
                throw TokenizeCommandError.invalidUTF8(offset: offset, byte: bytes[offset])
            }
            text = String(decoding: bytes, as: UTF8.self)
        }

        let readStart = ContinuousClock.now
        let gguf = try GGUFFile(path: modelPath)
        let buildStart = ContinuousClock.now
        let tokenizer = try Tokenizer(gguf: gguf)
        let encodeStart = ContinuousClock.now
        let ids = tokenizer.encode(text, addSpecial: addSpecial, parseSpecial: parseSpecial)
        let encodeEnd = ContinuousClock.now
        if timings {
            let readTime = Self.milliseconds(buildStart - readStart)
            let buildTime = Self.milliseconds(encodeStart - buildStart)
            let encodeTime = Self.milliseconds(encodeEnd - encodeStart)
            console.writeError(
                "read the GGUF metadata in \(readTime) ms; built the tokenizer (\(tokenizer.vocabSize) tokens) in \(buildTime) ms; "
                    + "encoded \(text.utf8.count) bytes into \(ids.count) tokens in \(encodeTime) ms\n")
        }

        if countOnly {
            console.write("\(ids.count)\n")
        } else if json {
            let pieces = ids.map { JSON.quoted(TokenDisplay.escapingInvalidUTF8(tokenizer.pieceBytes($0))) }
            let idList = ids.map(String.init).joined(separator: ", ")
            console.write("{\"ids\": [\(idList)], \"pieces\": [\(pieces.joined(separator: ", "))]}\n")
        } else {
            var lines = ""
            for id in ids {
                lines += "\(id)\t\(tokenizer.pieceText(id))\n"
            }
            console.write(lines)
        }
        return ExitCode.success
    }
}

extension TokenizeCommand {
    /// Returns a duration in whole milliseconds, for the timing report.
    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// Failures of `hunch tokenize` that are about its input rather than the model.
enum TokenizeCommandError: Error, CustomStringConvertible {
    case invalidUTF8(offset: Int, byte: UInt8)
    case cannotReadStandardInput(reason: String)

    var description: String {
        switch self {
        case .invalidUTF8(let offset, let byte):
            let hex = String(byte, radix: 16, uppercase: true)
            return "standard input is not valid UTF-8: byte 0x\(hex.count == 1 ? "0" + hex : hex) at offset \(offset) does not start a whole character. Convert the text to UTF-8 first, for example with iconv."
        case .cannotReadStandardInput(let reason):
            return "cannot read standard input: \(reason)."
        }
    }
}

/// Reads all of standard input.
enum StandardInput {
    static func readAll() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TokenizeCommandError.cannotReadStandardInput(reason: String(cString: strerror(errno)))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }
}

/// The little JSON writing `hunch` needs, with exact control over the output.
enum JSON {
    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
