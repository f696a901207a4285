/// One option a command accepts.
public struct OptionSpec: Sendable {
    /// Spellings, long first: ["--model", "-m"].
    public var names: [String]
    /// Placeholder for the value in help text, or nil for a flag.
    public var valueName: String?
    public var help: String
    /// Whether the option may be given more than once.
    public var repeatable: Bool

    public init(_ names: [String], value valueName: String? = nil, help: String, repeatable: Bool = false) {
        self.names = names
        self.valueName = valueName
        self.help = help
        self.repeatable = repeatable
    }

    public var primaryName: String { names[0] }
    public var isFlag: Bool { valueName == nil }
}

/// A subcommand: its name, what it does, and the arguments it takes.
public struct CommandSpec: Sendable {
    public var name: String
    public var summary: String
    /// Usage line after `hunch NAME`, e.g. "[options] MODEL.gguf".
    public var usage: String
    public var options: [OptionSpec]
    /// Extra paragraphs printed after the options in `--help`.
    public var discussion: String
    /// Most positional arguments accepted (nil: any number).
    public var maximumPositionals: Int?

    public init(
        name: String, summary: String, usage: String, options: [OptionSpec],
        discussion: String = "", maximumPositionals: Int? = 0
    ) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.options = options + [OptionSpec(["--help", "-h"], help: "Show this help and exit.")]
        self.discussion = discussion
        self.maximumPositionals = maximumPositionals
    }

    func option(named name: String) -> OptionSpec? {
        options.first { $0.names.contains(name) }
    }

    /// The `--help` text.
    public var helpText: String {
        var lines = ["usage: hunch \(name) \(usage)", "", summary, ""]
        if !options.isEmpty {
            lines.append("options:")
            let labels = options.map { option in
                option.names.joined(separator: ", ") + (option.valueName.map { " \($0)" } ?? "")
            }
            let width = min(30, (labels.map(\.count).max() ?? 0) + 2)
            for (label, option) in zip(labels, options) {
                let padded = label.count >= width ? label + "  " : label.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append("  " + padded + option.help)
            }
        }
        if !discussion.isEmpty {
            lines.append("")
            lines.append(discussion)
        }
        return lines.joined(separator: "\n")
    }
}
