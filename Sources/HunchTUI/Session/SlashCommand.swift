import Foundation
import HunchCore

/// A command typed in the chat input, starting with `/`.
public enum SlashCommand: Sendable, Equatable {
    case help
    case draft(DraftLengthSetting)
    case temperature(Float)
    case topP(Float)
    /// nil seeds from the system's random source.
    case seed(UInt64?)
    /// nil restores the model's default system message.
    case system(String?)
    case clear
    case save(String)
    case load(String)
    case stats
    case theme(String)
    case models
    case quit

    /// Parses `line` when it starts with `/`; returns nil for ordinary messages.
    public static func parse(_ line: String) throws(SlashCommandError) -> SlashCommand? {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("/") else { return nil }
        let nameEnd = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) ?? trimmed.endIndex
        let name = String(trimmed[trimmed.index(after: trimmed.startIndex)..<nameEnd]).lowercased()
        let argument = trimmed[nameEnd...].trimmingCharacters(in: .whitespacesAndNewlines)

        func noArgument(_ command: SlashCommand) throws(SlashCommandError) -> SlashCommand {
            guard argument.isEmpty else { throw .unexpectedArgument(command: name, argument) }
            return command
        }
        func requireArgument(_ usage: String) throws(SlashCommandError) -> String {
            guard !argument.isEmpty else { throw .missingArgument(command: name, usage: usage) }
            return argument
        }

        switch name {
        case "help", "?": return try noArgument(.help)
        case "draft":
            let text = try requireArgument("/draft N|auto")
            do {
                return .draft(try DraftLengthSetting(parsing: text))
            } catch {
                throw .invalidValue(command: name, reason: error.description)
            }
        case "temp", "temperature":
            let value = try parseFloat(try requireArgument("/temp X"), command: name)
            guard value.isFinite, value >= 0 else {
                throw .invalidValue(command: name, reason: "temperature \(argument) must be 0 or more (0 picks the most likely token)")
            }
            return .temperature(value)
        case "topp", "top-p":
            let value = try parseFloat(try requireArgument("/topp X"), command: name)
            guard value > 0, value <= 1 else {
                throw .invalidValue(command: name, reason: "top-p \(argument) must be above 0 and at most 1")
            }
            return .topP(value)
        case "seed":
            let text = try requireArgument("/seed N|random")
            if text.lowercased() == "random" { return .seed(nil) }
            guard let value = UInt64(text) else {
                throw .invalidValue(command: name, reason: "seed '\(text)' is not a whole number from 0 to \(UInt64.max) or 'random'")
            }
            return .seed(value)
        case "system": return .system(argument.isEmpty ? nil : argument)
        case "clear": return try noArgument(.clear)
        case "save": return .save(try requireArgument("/save FILE"))
        case "load": return .load(try requireArgument("/load FILE"))
        case "stats": return try noArgument(.stats)
        case "theme": return .theme(try requireArgument("/theme NAME|PATH"))
        case "models": return try noArgument(.models)
        case "quit", "exit", "q": return try noArgument(.quit)
        default: throw .unknownCommand(name)
        }
    }

    private static func parseFloat(_ text: String, command: String) throws(SlashCommandError) -> Float {
        guard let value = Float(text) else {
            throw .invalidValue(command: command, reason: "'\(text)' is not a number")
        }
        return value
    }
}

/// A slash command that could not be parsed, worded for the status bar.
public enum SlashCommandError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownCommand(String)
    case missingArgument(command: String, usage: String)
    case unexpectedArgument(command: String, String)
    case invalidValue(command: String, reason: String)

    public var description: String {
        switch self {
        case .unknownCommand(let name):
            "unknown command /\(name); type /help for the list"
        case .missingArgument(_, let usage):
            "missing value: use \(usage)"
        case .unexpectedArgument(let command, let argument):
            "/\(command) takes no value, but got '\(argument)'"
        case .invalidValue(let command, let reason):
            "/\(command): \(reason)"
        }
    }
}
