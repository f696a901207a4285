import Foundation

/// A terminal colour as a theme names it.
public enum ThemeColor: Sendable, Equatable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// A palette index: 0-7 are the basic colours, 8-15 their bright forms, up to 255.
    case index(Int)

    static let basicNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses `default`, a basic colour name, `bright-NAME` or a palette index 0...255.
    init?(parsing word: String) {
        if word == "default" {
            self = .terminalDefault
        } else if let index = Self.basicNames.firstIndex(of: word) {
            self = .index(index)
        } else if word.hasPrefix("bright-"), let index = Self.basicNames.firstIndex(of: String(word.dropFirst(7))) {
            self = .index(index + 8)
        } else if let value = Int(word), (0...255).contains(value) {
            self = .index(value)
        } else {
            return nil
        }
    }
}

/// The look of one role: colours and text attributes.
public struct ThemeStyle: Sendable, Equatable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var bold: Bool
    public var dim: Bool
    public var underline: Bool
    public var reverse: Bool

    public init(
        foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault,
        bold: Bool = false, dim: Bool = false, underline: Bool = false, reverse: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
    }
}

/// A named set of styles, one per `ColorRole`.
///
/// Theme files are lines of `role = STYLE`, where STYLE is a foreground colour,
/// optionally `on BACKGROUND`, and any of `bold`, `dim`, `underline`, `reverse`.
/// Colours are `default`, `black`, `red`, `green`, `yellow`, `blue`, `magenta`,
/// `cyan`, `white`, `bright-NAME` or a palette index 0-255. `#` starts a comment.
/// Roles a file leaves out keep the default theme's style.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [ColorRole: ThemeStyle]

    public init(name: String, styles: [ColorRole: ThemeStyle]) {
        self.name = name
        self.styles = styles
    }

    public func style(for role: ColorRole) -> ThemeStyle {
        styles[role] ?? ThemeStyle()
    }

    /// The roles a theme file must name.
    public static let requiredRoles: [ColorRole] = [.accepted, .rejected, .correction, .user, .assistant, .status, .border]

    // MARK: - Parsing

    /// Parses theme file text; `source` names the file in errors. Roles the text
    /// leaves out take their style from `base`.
    public static func parse(_ text: String, name: String, source: String, base: Theme? = builtInDefault) throws(ThemeError) -> Theme {
        var styles = base?.styles ?? [:]
        var named: Set<ColorRole> = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let line = content.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }

            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ThemeError(source: source, line: lineNumber, reason: "expected 'role = colour', found '\(line)'")
            }
            guard let role = ColorRole(rawValue: parts[0].lowercased()) else {
                let known = ColorRole.allCases.map(\.rawValue).joined(separator: ", ")
                throw ThemeError(source: source, line: lineNumber, reason: "unknown role '\(parts[0])'; roles are \(known)")
            }
            styles[role] = try parseStyle(parts[1].lowercased(), source: source, line: lineNumber)
            named.insert(role)
        }
        let missing = requiredRoles.filter { !named.contains($0) }
        if !missing.isEmpty {
            throw ThemeError(
                source: source, line: nil,
                reason: "missing roles: \(missing.map(\.rawValue).joined(separator: ", ")); every theme names \(requiredRoles.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return Theme(name: name, styles: styles)
    }

    private static func parseStyle(_ text: String, source: String, line: Int) throws(ThemeError) -> ThemeStyle {
        var style = ThemeStyle()
        var sawForeground = false
        var expectBackground = false
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
            if expectBackground {
                guard let color = ThemeColor(parsing: word) else {
                    throw ThemeError(source: source, line: line, reason: "unknown background colour '\(word)'; \(colourHelp)")
                }
                style.background = color
                expectBackground = false
                continue
            }
            switch word {
            case "bold": style.bold = true
            case "dim": style.dim = true
            case "underline": style.underline = true
            case "reverse": style.reverse = true
            case "on": expectBackground = true
            default:
                guard !sawForeground, let color = ThemeColor(parsing: word) else {
                    let what = sawForeground ? "unexpected word '\(word)' after the colour" : "unknown colour '\(word)'"
                    throw ThemeError(source: source, line: line, reason: "\(what); \(colourHelp)")
                }
                style.foreground = color
                sawForeground = true
            }
        }
        if expectBackground {
            throw ThemeError(source: source, line: line, reason: "'on' needs a background colour after it")
        }
        return style
    }

    private static let colourHelp =
        "use default, black, red, green, yellow, blue, magenta, cyan, white, bright-NAME or 0-255, then 'on COLOUR' and bold, dim, underline, reverse"
}

/// A theme file that could not be used, with the line at fault.
public struct ThemeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var source: String
    /// 1-based line number, or nil for a fault of the whole file.
    public var line: Int?
    public var reason: String

    public var description: String {
        if let line { return "theme \(source) line \(line): \(reason)" }
        return "theme \(source): \(reason)"
    }
}
