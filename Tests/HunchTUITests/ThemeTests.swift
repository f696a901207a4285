import Foundation
import Testing
@testable import HunchTUI

@Suite struct ThemeTests {
    static let themesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes").path

    @Test func embeddedDefaultMatchesFile() throws {
        let file = try String(contentsOfFile: Self.themesDirectory + "/default.theme", encoding: .utf8)
        #expect(file == Theme.defaultThemeText)
    }

    @Test func shippedThemesParse() throws {
        for name in ["default", "light", "high-contrast", "ansi8"] {
            let theme = try Theme.load(name, directories: [Self.themesDirectory])
            #expect(theme.name == name)
            for role in Theme.requiredRoles { #expect(theme.styles[role] != nil) }
        }
    }

    @Test func eightColourThemeUsesBasicColours() throws {
        let theme = try Theme.load("ansi8", directories: [Self.themesDirectory])
        for style in theme.styles.values {
            for color in [style.foreground, style.background] {
                if case .index(let index) = color { #expect(index < 8) }
            }
        }
    }

    @Test func styleSyntax() throws {
        let text = Theme.defaultThemeText + "status = bright-white on 22 bold reverse\n"
        let theme = try Theme.parse(text, name: "t", source: "t")
        #expect(theme.style(for: .status) == ThemeStyle(foreground: .index(15), background: .index(22), bold: true, reverse: true))
        #expect(theme.style(for: .rejected).underline)
    }

    @Test(arguments: [
        ("accepted = green\nrejected = purple\n", "theme t line 2: unknown colour 'purple'"),
        ("accepted green\n", "theme t line 1: expected 'role = colour', found 'accepted green'"),
        ("# c\nbogus = red\n", "theme t line 2: unknown role 'bogus'"),
        ("accepted = red on\n", "theme t line 1: 'on' needs a background colour after it"),
        ("accepted = red blue\n", "theme t line 1: unexpected word 'blue' after the colour"),
        ("accepted = 300\n", "theme t line 1: unknown colour '300'"),
        ("accepted = red\n", "theme t: missing roles: rejected, correction, user, assistant, status, border"),
    ])
    func malformedThemeNamesLine(text: String, expectedStart: String) {
        do {
            _ = try Theme.parse(text, name: "t", source: "t")
            Issue.record("no error for \(text)")
        } catch {
            #expect(error.description.hasPrefix(expectedStart), "\(error.description)")
        }
    }

    @Test func unknownThemeListsAvailable() {
        do {
            _ = try Theme.load("nope", directories: [Self.themesDirectory])
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("not found"))
            #expect(error.description.contains("high-contrast"))
        }
    }

    @Test func defaultIsBuiltIn() throws {
        #expect(try Theme.load("default", directories: []) == Theme.builtInDefault)
    }

    @Test func themesFoundNextToBuildFolder() {
        let directories = Theme.searchDirectories(executablePath: "/repo/.build/release/hunch")
        #expect(directories.contains("/repo/themes"))
    }
}
