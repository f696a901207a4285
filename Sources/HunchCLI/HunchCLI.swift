import HunchCore

/// Exit statuses of the `hunch` executable.
public enum ExitCode {
    public static let success: Int32 = 0
    /// The command ran but failed: a missing file, a broken model, a failed download.
    public static let failure: Int32 = 1
    /// The command line itself was wrong.
    public static let usage: Int32 = 2
}

/// A subcommand of `hunch`.
public protocol HunchCommand: Sendable {
    static var spec: CommandSpec { get }
    /// Checks and stores the arguments; throws `UsageError` for mistakes in them.
    init(arguments: ParsedArguments) throws(UsageError)
    /// Runs the command; thrown errors are printed and exit with status 1.
    func run(console: Console) async throws -> Int32
}

/// Entry point shared by the executable and the tests.
public enum HunchCLI {
    public static let version = "0.1.0"

    /// The subcommands in the order `hunch --help` lists them. `defaultCommandName`
    /// runs when no subcommand is named.
    public static let commands: [any HunchCommand.Type] = [
        ChatCommand.self,
        InfoCommand.self,
        TokenizeCommand.self,
        FetchCommand.self,
        QuantizeCommand.self,
        GenerateCommand.self,
        BenchCommand.self,
    ]

    static let defaultCommandName = "chat"

    static var overview: String {
        var lines = [
            "hunch \(version): chat with a local language model, faster through speculative decoding.",
            "",
            "usage: hunch [COMMAND] [options]",
            "",
            "commands:",
        ]
        for command in commands {
            lines.append("  " + command.spec.name.padding(toLength: 12, withPad: " ", startingAt: 0) + command.spec.summary)
        }
        lines.append("")
        lines.append("Run 'hunch COMMAND --help' for the options of a command.")
        return lines.joined(separator: "\n")
    }

    /// Runs hunch with `arguments` (without the program name) and returns the exit status.
    public static func run(_ arguments: [String], console: Console) async -> Int32 {
        var arguments = arguments
        if arguments.first == "--help" || arguments.first == "-h" || arguments.first == "help" && arguments.count == 1 {
            console.write(overview + "\n")
            return ExitCode.success
        }
        if arguments.first == "--version" {
            console.write("hunch \(version)\n")
            return ExitCode.success
        }
        if arguments.first == "help", arguments.count == 2 {
            arguments = [arguments[1], "--help"]
        }

        // No command name (or only options): the default command.
        let name: String
        if let first = arguments.first, !first.hasPrefix("-") {
            name = first
            arguments.removeFirst()
        } else {
            name = defaultCommandName
        }
        guard let command = commands.first(where: { $0.spec.name == name }) else {
            console.writeError("hunch: \(UsageError.unknownCommand(name))\n")
            return ExitCode.usage
        }
        return await run(command, arguments: arguments, console: console)
    }

    static func run(_ command: any HunchCommand.Type, arguments: [String], console: Console) async -> Int32 {
        let instance: any HunchCommand
        do {
            let parsed = try ParsedArguments(arguments, spec: command.spec)
            if parsed.flag("--help") {
                console.write(command.spec.helpText + "\n")
                return ExitCode.success
            }
            instance = try command.init(arguments: parsed)
        } catch {
            console.writeError("hunch \(command.spec.name): \(error)\n")
            return ExitCode.usage
        }

        do {
            return try await instance.run(console: console)
        } catch let error as UsageError {
            console.writeError("hunch \(command.spec.name): \(error)\n")
            return ExitCode.usage
        } catch {
            console.writeError("hunch \(command.spec.name): error: \(error)\n")
            return ExitCode.failure
        }
    }
}
