/// The keys and slash commands, as the help overlay and `/help` list them.
public enum HelpText {
    public static let keys: [(String, String)] = [
        ("Enter", "send the message"),
        ("\\ at line end", "continue the message on the next line"),
        ("```", "start or end a fenced block (sent when it closes)"),
        ("Ctrl-C", "stop the reply (the partial reply stays); clear the input line"),
        ("Ctrl-D", "quit (on an empty line)"),
        ("+ ] / - [", "draft one token more / less per round (while generating)"),
        ("a", "switch automatic draft length on or off (while generating)"),
        ("PgUp / PgDn", "scroll the focused pane"),
        ("Tab", "move the focus between the chat and the speculation panel"),
        ("F1, ? on empty input", "show or hide this help"),
        ("Up / Down, Ctrl-R", "history, reverse history search"),
        ("Ctrl-A/E/K/U/W, Alt-B/F", "line editing as in Emacs (readline)"),
    ]

    public static let commands: [(String, String)] = [
        ("/help", "show this help"),
        ("/draft N|auto", "draft N tokens per round (1-16), or let hunch choose"),
        ("/temp X", "sampling temperature (0 = greedy)"),
        ("/topp X", "top-p nucleus mass, above 0 and at most 1"),
        ("/seed N|random", "seed of the sampler"),
        ("/system TEXT", "set the system message (no TEXT: the model's default)"),
        ("/clear", "start a new conversation"),
        ("/save FILE", "write the chat as Markdown and its rounds as JSON"),
        ("/load FILE", "read a chat saved by /save"),
        ("/stats", "show the session's statistics"),
        ("/theme NAME", "switch colours (default, light, high-contrast, ansi8 or a path)"),
        ("/models", "show the loaded models"),
        ("/quit", "quit"),
    ]

    /// Title of the help overlay.
    public static let title = " hunch help: PgUp/PgDn scroll, any other key closes "

    /// Returns the help as plain lines, each `KEY  what it does`, keys then commands.
    public static func lines() -> [String] {
        let width = (keys + commands).map { TextWidth.columns(of: $0.0) }.max() ?? 0
        func row(_ entry: (String, String)) -> String {
            entry.0 + String(repeating: " ", count: width - TextWidth.columns(of: entry.0) + 2) + entry.1
        }
        return ["Keys"] + keys.map(row) + ["Commands"] + commands.map(row)
    }
}
