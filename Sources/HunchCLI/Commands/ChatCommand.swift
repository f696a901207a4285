import Foundation
import HunchCore
import HunchTUI
#if canImport(Glibc)
import Glibc
#endif

/// `hunch chat`, the default command: the full-screen chat, or a line-by-line chat
/// when standard input or output is not a terminal or with `--plain`.
struct ChatCommand: HunchCommand {
    static let spec = CommandSpec(
        name: "chat",
        summary: "Chat with the model; shows every speculative round as it happens (the default command).",
        usage: "[options]",
        options: [
            OptionSpec(["--plain"], help: "Read one message per line and print the replies, without the full-screen view."),
            OptionSpec(["--theme"], value: "NAME|PATH", help: "Colour theme: default, light, high-contrast, ansi8, or a theme file (default: default)."),
            OptionSpec(["--system"], value: "TEXT", help: "System message (default: the chat template's own, if any)."),
            OptionSpec(["--max-tokens", "-n"], value: "N", help: "Maximum number of tokens per reply (default: \(defaultMaxTokens))."),
        ] + GenerateCommand.samplingSpecs + EngineOptions.specs,
        discussion: """
            Keys: Enter sends, +/- change the draft length while a reply streams, a switches
            automatic draft length, Ctrl-C stops the reply, Tab and PgUp/PgDn move between and
            scroll the panes, F1 shows every key and command, Ctrl-D quits. Type /help for the
            slash commands. NO_COLOR turns colours off. The input history is kept in
            $XDG_STATE_HOME/hunch/history (else ~/.local/state/hunch/history).
            """)

    static let defaultMaxTokens = 1024

    let plain: Bool
    let themeName: String?
    let settings: ChatSettings
    let engineOptions: EngineOptions

    init(arguments: ParsedArguments) throws(UsageError) {
        plain = arguments.flag("--plain")
        themeName = arguments.string("--theme")
        if themeName == "" {
            throw .invalidValue(option: "--theme", value: "", expected: "a theme name or the path of a theme file")
        }
        engineOptions = try EngineOptions(arguments: arguments)
        var draftLength = DraftLengthSetting.auto
        if let text = arguments.string("--draft-len") {
            do {
                draftLength = try DraftLengthSetting(parsing: text)
            } catch {
                throw .invalidValue(option: "--draft-len", value: text, expected: "1 to \(DraftLengthSetting.maximum) or auto")
            }
        }
        settings = ChatSettings(
            draftLength: draftLength,
            sampler: try GenerateCommand.samplerSettings(arguments),
            maxTokens: try arguments.int("--max-tokens", range: 1...1_000_000) ?? Self.defaultMaxTokens,
            systemPrompt: arguments.string("--system"),
            draftMinProbability: try arguments.double("--draft-p-min", range: 0...1).map(Float.init))
        if !engineOptions.useDraft {
            let runsAlone = arguments.string("--model") != nil ? "--model" : "--no-draft"
            for option in ["--draft-len", "--draft-p-min"] where arguments.string(option) != nil {
                throw .conflictingOptions(option, runsAlone)
            }
        }
    }

    func run(console: Console) async throws -> Int32 {
        try run(
            console: console, inputIsTerminal: isatty(0) == 1,
            makeEngine: { options, console in try options.load(console: console).makeEngine() },
            readLine: nil)
    }

    /// Runs with the engine and, in plain mode, the input lines supplied by the caller
    /// (nil reads standard input), so tests can substitute both.
    func run(
        console: Console, inputIsTerminal: Bool, makeEngine: (EngineOptions, Console) throws -> any ReplyEngine,
        readLine: ((String) -> String?)?
    ) throws -> Int32 {
        let colorEnabled = ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true

        // A bad theme is reported and the default used, so a typo in --theme does not stop the chat.
        var theme = Theme.builtInDefault
        var themeMessage: String?
        if let themeName {
            do {
                theme = try Theme.load(themeName)
            } catch {
                themeMessage = "\(error); using the default theme"
            }
        }

        let engine = try makeEngine(engineOptions, console)
        let session = ChatSession(engine: engine, settings: settings)
        if !plain, console.outputIsTerminal, inputIsTerminal {
            try FullScreenChat.run(session: session, theme: theme, startupMessage: themeMessage, colorEnabled: colorEnabled)
            return ExitCode.success
        }

        if let themeMessage { console.writeError("hunch chat: \(themeMessage)\n") }
        let chat = PlainChat(
            session: session, colorEnabled: colorEnabled && console.outputIsTerminal,
            write: { console.write($0) }, writeError: { console.writeError($0) })
        let historyPath = inputIsTerminal ? LineEditor.defaultHistoryPath() : nil
        chat.run(readLine: readLine ?? PlainChat.lineReader(historyPath: historyPath))
        return ExitCode.success
    }
}
