import Foundation

/// A mistake in how a command was called; hunch exits with status 2.
public enum UsageError: Error, Equatable, Sendable {
    case unknownCommand(String)
    case unknownOption(command: String, option: String)
    case missingValue(option: String)
    case unexpectedValue(option: String)
    case repeatedOption(option: String)
    case invalidValue(option: String, value: String, expected: String)
    case unexpectedArgument(command: String, argument: String)
    case missingArgument(command: String, name: String)
    case conflictingOptions(String, String)
    /// `option` only has an effect together with `required`.
    case requiresOption(option: String, required: String)
}

extension UsageError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownCommand(let name):
            return "unknown command '\(name)'. Run 'hunch --help' for the list of commands."
        case .unknownOption(let command, let option):
            return "unknown option '\(option)' for 'hunch \(command)'. Run 'hunch \(command) --help' for the options."
        case .missingValue(let option):
            return "option '\(option)' needs a value."
        case .unexpectedValue(let option):
            return "option '\(option)' takes no value."
        case .repeatedOption(let option):
            return "option '\(option)' was given more than once."
        case .invalidValue(let option, let value, let expected):
            return "invalid value '\(value)' for '\(option)': expected \(expected)."
        case .unexpectedArgument(let command, let argument):
            return "unexpected argument '\(argument)' for 'hunch \(command)'."
        case .missingArgument(let command, let name):
            return "'hunch \(command)' needs \(name). Run 'hunch \(command) --help' for usage."
        case .conflictingOptions(let first, let second):
            return "options '\(first)' and '\(second)' cannot be used together."
        case .requiresOption(let option, let required):
            return "option '\(option)' needs '\(required)' as well."
        }
    }
}

/// The arguments of one command after parsing against its `CommandSpec`.
/// Options are keyed by their primary (first) name.
public struct ParsedArguments: Sendable {
    public let command: String
    public private(set) var values: [String: [String]] = [:]
    public private(set) var flags: Set<String> = []
    public private(set) var positionals: [String] = []

    /// Parses `arguments` (without the command name). Accepts `--name value`,
    /// `--name=value`, `-n value`, `--` to end options, and `-` as a positional (stdin).
    public init(_ arguments: [String], spec: CommandSpec) throws(UsageError) {
        command = spec.name
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1

            if optionsEnded || argument == "-" || !argument.hasPrefix("-") || Self.isNegativeNumber(argument) {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }

            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = spec.option(named: name) else {
                throw .unknownOption(command: spec.name, option: name)
            }

            if option.isFlag {
                guard inlineValue == nil else { throw .unexpectedValue(option: name) }
                flags.insert(option.primaryName)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else { throw .missingValue(option: name) }
                value = arguments[index]
                index += 1
            }
            if !option.repeatable, values[option.primaryName] != nil {
                throw .repeatedOption(option: option.primaryName)
            }
            values[option.primaryName, default: []].append(value)
        }

        if let maximum = spec.maximumPositionals, positionals.count > maximum {
            throw .unexpectedArgument(command: spec.name, argument: positionals[maximum])
        }
    }

    private static func isNegativeNumber(_ argument: String) -> Bool {
        argument.count > 1 && Double(argument) != nil
    }

    public func flag(_ name: String) -> Bool { flags.contains(name) }

    public func string(_ name: String) -> String? { values[name]?.last }

    public func strings(_ name: String) -> [String] { values[name] ?? [] }

    public func int(_ name: String, range: ClosedRange<Int>? = nil) throws(UsageError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.map({ $0.contains(value) }) ?? true else {
            let expected = range.map { "an integer from \($0.lowerBound) to \($0.upperBound)" } ?? "an integer"
            throw .invalidValue(option: name, value: text, expected: expected)
        }
        return value
    }

    public func double(_ name: String, range: ClosedRange<Double>? = nil) throws(UsageError) -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite, range.map({ $0.contains(value) }) ?? true else {
            let expected = range.map { "a number from \($0.lowerBound) to \($0.upperBound)" } ?? "a number"
            throw .invalidValue(option: name, value: text, expected: expected)
        }
        return value
    }

    public func uint64(_ name: String) throws(UsageError) -> UInt64? {
        guard let text = string(name) else { return nil }
        guard let value = UInt64(text) else {
            throw .invalidValue(option: name, value: text, expected: "a non-negative integer")
        }
        return value
    }

    /// The positional at `index`, or a usage error naming it.
    public func positional(_ index: Int, name: String) throws(UsageError) -> String {
        guard index < positionals.count else { throw .missingArgument(command: command, name: name) }
        return positionals[index]
    }
}
