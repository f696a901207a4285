import Foundation
import HunchCore
import Testing
@testable import HunchTUI

@Suite struct PlainChatTests {
    final class Output: @unchecked Sendable {
        var text = ""
        var error = ""
    }

    static func makeChat(colorEnabled: Bool, engine: FakeEngine = FakeEngine()) -> (PlainChat, Output) {
        let output = Output()
        let session = ChatSession(engine: engine, settings: ChatSettings(draftLength: .fixed(3)))
        let chat = PlainChat(session: session, colorEnabled: colorEnabled, write: { output.text += $0 }, writeError: { output.error += $0 })
        return (chat, output)
    }

    @Test func pipedInputPrintsReplyAndSummary() {
        let (chat, output) = Self.makeChat(colorEnabled: false)
        var lines = ["write fizzbuzz"]
        chat.run { _ in lines.isEmpty ? nil : lines.removeFirst() }
        #expect(output.text == "Hello, world!\n")
        #expect(output.error.hasPrefix("[14 tokens,"))
        #expect(output.error.hasSuffix("draft length 3; end of text]\n"))
    }

    @Test func terminalOutputColoursAcceptedAndTarget() {
        let (chat, output) = Self.makeChat(colorEnabled: true)
        chat.handle("hi")
        #expect(output.text.contains("\u{1B}[32m"))
        #expect(output.text.contains("\u{1B}[33m"))
        let plain = output.text.replacingOccurrences(of: "\u{1B}[32m", with: "").replacingOccurrences(of: "\u{1B}[33m", with: "")
            .replacingOccurrences(of: "\u{1B}[0m", with: "")
        #expect(plain == "Hello, world!\n")
    }

    @Test func commandsPrintTheirResult() {
        let (chat, output) = Self.makeChat(colorEnabled: false)
        chat.handle("/bogus")
        #expect(output.error == "unknown command /bogus; type /help for the list\n")
        chat.handle("/draft 5")
        #expect(output.text == "draft length 5\n")
        chat.handle("/help")
        #expect(output.text.contains("/theme NAME"))
    }

    @Test func quitEndsTheLoop() {
        let (chat, output) = Self.makeChat(colorEnabled: false)
        var lines = ["/quit", "never read"]
        chat.run { _ in lines.isEmpty ? nil : lines.removeFirst() }
        #expect(lines == ["never read"])
        #expect(output.text.isEmpty)
    }

    @Test func unfinishedUTF8IsHeldBack() {
        #expect(PlainChat.completeUTF8Prefix(Array("ab".utf8)) == 2)
        #expect(PlainChat.completeUTF8Prefix([0x61, 0xE4, 0xB8]) == 1)
        #expect(PlainChat.completeUTF8Prefix([0xE4, 0xB8, 0xAD]) == 3)
        #expect(PlainChat.completeUTF8Prefix([0xF0, 0x9F, 0x98]) == 0)
        #expect(PlainChat.completeUTF8Prefix([]) == 0)
    }
}
