/// A failure of `hunch quantize` to write its output, with the paths involved.
public enum QuantizeError: Error, Equatable, Sendable {
    /// The output path names the input file (directly or through a link).
    case sameFile(input: String, output: String)
    /// The input is not a model hunch can run, so it has no int8 form.
    case invalidInput(path: String, error: GGUFError)
    /// A matrix whose rows do not split into 32-weight blocks.
    case rowsNotBlockAligned(path: String, tensor: String, rowLength: Int)
    case outputIsDirectory(path: String)
    /// The temporary file next to the output could not be created.
    case cannotCreate(directory: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// The disk filled up: `needed` more bytes, `available` free in `directory`.
    case diskFull(directory: String, needed: Int, available: Int)
    case renameFailed(from: String, to: String, reason: String)
}

extension QuantizeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .sameFile(let input, let output):
            return "the output \(output) is the input file \(input); write the Q8_0 copy to another path."
        case .invalidInput(let path, let error):
            return "cannot quantize \(path): \(error)"
        case .rowsNotBlockAligned(let path, let tensor, let rowLength):
            return "cannot quantize \(path): tensor \"\(tensor)\" has rows of \(rowLength) weights, "
                + "but Q8_0 stores rows in blocks of 32, so hunch cannot run this model either."
        case .outputIsDirectory(let path):
            return "the output \(path) is a directory; pass a file path, for example \(path)/model-q8_0.gguf."
        case .cannotCreate(let directory, let reason):
            return "cannot create the output file in \(directory): \(reason). Check that the directory exists and is writable."
        case .writeFailed(let path, let reason):
            return "writing \(path) failed: \(reason). The partial file was removed."
        case .diskFull(let directory, let needed, let available):
            return "not enough disk space in \(directory): the output needs \(Self.megabytes(needed)) more, "
                + "\(Self.megabytes(available)) are free. Free some space or write the output elsewhere."
        case .renameFailed(let from, let to, let reason):
            return "cannot rename \(from) to \(to): \(reason). The partial file was removed."
        }
    }

    /// Formats bytes as decimal megabytes with one decimal, e.g. "1117.3 MB".
    static func megabytes(_ bytes: Int) -> String {
        let tenths = (max(0, bytes) + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
