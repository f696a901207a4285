import HunchCore
import Testing
@testable import HunchTUI

@Suite struct SlashCommandTests {
    @Test(arguments: [
        ("/help", SlashCommand.help),
        ("/draft 5", .draft(.fixed(5))),
        ("/draft auto", .draft(.auto)),
        ("/temp 0.7", .temperature(0.7)),
        ("/topp 0.9", .topP(0.9)),
        ("/seed 42", .seed(42)),
        ("/seed random", .seed(nil)),
        ("/system Be brief.", .system("Be brief.")),
        ("/system", .system(nil)),
        ("/clear", .clear),
        ("/save chat.md", .save("chat.md")),
        ("/load ~/chat.md", .load("~/chat.md")),
        ("/stats", .stats),
        ("/theme light", .theme("light")),
        ("/models", .models),
        ("/quit", .quit),
        ("  /QUIT  ", .quit),
    ])
    func parsesCommands(line: String, expected: SlashCommand) throws {
        #expect(try SlashCommand.parse(line) == expected)
    }

    @Test func ordinaryTextIsNoCommand() throws {
        #expect(try SlashCommand.parse("hello /draft 3") == nil)
    }

    @Test(arguments: [
        ("/bogus", "unknown command /bogus; type /help for the list"),
        ("/draft", "missing value: use /draft N|auto"),
        ("/draft 0", "/draft: draft length 0 is outside 1...16; give a value in that range or auto"),
        ("/draft x", "/draft: draft length 'x' is neither a number nor 'auto'; give 1...16 or auto"),
        ("/temp -1", "/temp: temperature -1 must be 0 or more (0 picks the most likely token)"),
        ("/temp hot", "/temp: 'hot' is not a number"),
        ("/topp 1.5", "/topp: top-p 1.5 must be above 0 and at most 1"),
        ("/seed -3", "/seed: seed '-3' is not a whole number from 0 to 18446744073709551615 or 'random'"),
        ("/clear now", "/clear takes no value, but got 'now'"),
        ("/save", "missing value: use /save FILE"),
    ])
    func rejectsBadInput(line: String, message: String) {
        do {
            _ = try SlashCommand.parse(line)
            Issue.record("no error for \(line)")
        } catch {
            #expect(error.description == message)
        }
    }
}

@Suite struct MultiLineInputTests {
    @Test func backslashContinues() {
        var input = MultiLineInput()
        #expect(input.add("first \\") == nil)
        #expect(input.isContinuing)
        #expect(input.prompt == "… ")
        #expect(input.add("second") == "first \nsecond")
        #expect(!input.isContinuing)
    }

    @Test func fencedBlockRunsToClosingFence() {
        var input = MultiLineInput()
        #expect(input.add("look:\\") == nil)
        #expect(input.add("```swift") == nil)
        #expect(input.prompt == "``` ")
        #expect(input.add("let a = 1 \\") == nil)
        #expect(input.add("") == nil)
        #expect(input.add("```") == "look:\n```swift\nlet a = 1 \\\n\n```")
    }

    @Test func resetDropsPendingLines() {
        var input = MultiLineInput()
        _ = input.add("```")
        input.reset()
        #expect(input.add("x") == "x")
    }
}
