import HunchCore

extension InfoCommand {
    /// Describes the default target and then the default draft model, fetching them into the cache when missing.
    ///
    /// Each file is described by running `hunch info PATH` on it, so this stays
    /// independent of how a single file is shown. With `--json` the output is the
    /// target's JSON object, then the draft's.
    func runDefaultPair(console: Console) async throws -> Int32 {
        let locator = try ModelLocator()
        let display = FetchProgressDisplay(console: console)
        var status = ExitCode.success
        for id in [ModelCatalog.defaultTargetID, ModelCatalog.defaultDraftID] {
            let entry = try ModelCatalog.requireEntry(id: id)
            let path: String
            do {
                path = try locator.resolve(path: nil, default: id, progress: display.handle)
            } catch {
                display.finish()
                throw error
            }
            if !json {
                console.write("\(entry.role.rawValue): \(entry.displayName) (\(entry.id))\n")
            }
            let arguments = try ParsedArguments([path] + (json ? ["--json"] : []), spec: Self.spec)
            let single = try InfoCommand(arguments: arguments)
            status = max(status, try await single.run(console: console))
            if !json, id != ModelCatalog.defaultDraftID { console.write("\n") }
        }
        return status
    }
}
