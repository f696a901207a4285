import Foundation

extension Theme {
    /// Text of `themes/default.theme`, built in so hunch has its colours when run
    /// away from the repository. A test checks that the two agree.
    public static let defaultThemeText = """
        # hunch default theme, for dark terminal backgrounds.
        # Each line: role = colour [on colour] [bold] [dim] [underline] [reverse]
        accepted   = green
        rejected   = red underline
        correction = yellow bold
        user       = cyan bold
        assistant  = default
        status     = black on cyan
        border     = blue
        error      = bright-red bold
        notice     = magenta
        normal     = default

        """

    /// The default theme, parsed from `defaultThemeText`.
    public static let builtInDefault: Theme = {
        do {
            return try parse(defaultThemeText, name: "default", source: "built-in default", base: nil)
        } catch {
            preconditionFailure("the built-in default theme does not parse: \(error)")
        }
    }()

    /// Directories searched for `NAME.theme`, in order: `$HUNCH_THEMES`, then a
    /// `themes/` folder in the executable's directory or up to three levels above it
    /// (`.build/release/hunch` and `.build/x86_64-unknown-linux-gnu/release/hunch` both
    /// find the repository's), an installed `../share/hunch/themes`, and `./themes`.
    public static func searchDirectories(executablePath: String = runningExecutablePath()) -> [String] {
        var directories: [String] = []
        if let custom = ProcessInfo.processInfo.environment["HUNCH_THEMES"], !custom.isEmpty {
            directories.append(custom)
        }
        var directory = URL(fileURLWithPath: executablePath).deletingLastPathComponent()
        for _ in 0..<4 {
            directories.append(directory.appendingPathComponent("themes").standardizedFileURL.path)
            directory = directory.deletingLastPathComponent()
        }
        let binDirectory = URL(fileURLWithPath: executablePath).deletingLastPathComponent()
        directories.append(binDirectory.appendingPathComponent("../share/hunch/themes").standardizedFileURL.path)
        directories.append(FileManager.default.currentDirectoryPath + "/themes")
        return directories
    }

    /// Returns the path of the running executable: from /proc/self/exe where it exists, because
    /// `argv[0]` is only a bare name when the program was found on `PATH`.
    public static func runningExecutablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return CommandLine.arguments.first ?? ""
    }

    /// Loads the theme `nameOrPath`: a file path when it contains `/` or ends in
    /// `.theme`, else a name looked up in `directories` (`default` is built in too).
    public static func load(_ nameOrPath: String, directories: [String] = searchDirectories()) throws(ThemeError) -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            let name = URL(fileURLWithPath: nameOrPath).deletingPathExtension().lastPathComponent
            return try parse(readThemeFile(nameOrPath), name: name, source: nameOrPath)
        }
        for directory in directories {
            let path = directory + "/" + nameOrPath + ".theme"
            if FileManager.default.isReadableFile(atPath: path) {
                return try parse(readThemeFile(path), name: nameOrPath, source: path)
            }
        }
        if nameOrPath == "default" {
            return builtInDefault
        }
        let known = availableNames(directories: directories).joined(separator: ", ")
        throw ThemeError(source: nameOrPath, line: nil, reason: "not found; available themes: \(known)")
    }

    /// Theme names found in `directories`, sorted, always including `default`.
    public static func availableNames(directories: [String] = searchDirectories()) -> [String] {
        var names: Set<String> = ["default"]
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files where file.hasSuffix(".theme") {
                names.insert(String(file.dropLast(".theme".count)))
            }
        }
        return names.sorted()
    }

    private static func readThemeFile(_ path: String) throws(ThemeError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError(source: path, line: nil, reason: "cannot read the file; check the path and its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(source: path, line: nil, reason: "not UTF-8 text")
        }
        return text
    }
}
