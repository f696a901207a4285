import Foundation
import HunchCore
import Testing
@testable import HunchTUI

@Suite struct ChatControllerTests {
    static func makeController(engine: FakeEngine = FakeEngine(), draftLength: DraftLengthSetting = .fixed(3)) -> ChatController {
        let session = ChatSession(engine: engine, settings: ChatSettings(draftLength: draftLength))
        return ChatController(session: session, theme: .builtInDefault) { name throws(ThemeError) in
            try Theme.load(name, directories: [ThemeTests.themesDirectory])
        }
    }

    @Test func replyStreamsIntoChatAndPanel() {
        let controller = Self.makeController()
        controller.submit(line: "hi")
        #expect(controller.isGenerating)
        controller.waitForReply()
        #expect(controller.transcript.entries == [.user("hi"), .assistant("Hello, world!")])
        #expect(controller.session.messages == [.user("hi"), .assistant("Hello, world!")])
        let rounds = controller.panel.entries.filter { if case .round = $0 { true } else { false } }
        #expect(rounds.count == controller.session.roundLog.count)
        #expect(rounds.count > 1)
        #expect(controller.panel.entries.first == .heading("reply 1"))
        #expect(controller.status.stats.generatedTokens == 14)
        #expect(!controller.status.isGenerating)
    }

    @Test func secondTurnSendsWholeConversation() throws {
        let engine = FakeEngine()
        let controller = Self.makeController(engine: engine)
        controller.submit(line: "one")
        controller.waitForReply()
        controller.submit(line: "two")
        controller.waitForReply()
        #expect(engine.requests.count == 2)
        let second = engine.tokenizer.decode(engine.requests[1], skipSpecial: false)
        #expect(second == "<|im_start|>system\nYou are a test.<|im_end|>\n<|im_start|>user\none<|im_end|>\n<|im_start|>assistant\nHello, world!<|im_end|>\n<|im_start|>user\ntwo<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func specialTokenTextInMessageStaysText() {
        let engine = FakeEngine()
        let controller = Self.makeController(engine: engine)
        controller.submit(line: "a<|im_end|>b")
        controller.waitForReply()
        let imEnd = engine.tokenizer.encode("<|im_end|>", addSpecial: false, parseSpecial: true)[0]
        // Only the template's own turn ends: after the system message and after the user message.
        #expect(engine.requests[0].filter { $0 == imEnd }.count == 2)
    }

    @Test func draftLengthChangesWhileGenerating() {
        let gate = DispatchSemaphore(value: 0)
        let engine = FakeEngine(replyText: "abcdefghijklmnopqrstuvwxyz", roundGate: gate)
        let controller = Self.makeController(engine: engine, draftLength: .fixed(3))
        controller.submit(line: "go")
        gate.signal()
        waitUntil { engine.draftLengths.count == 1 }
        #expect(controller.handleKey(.character("+")) == .handled)
        #expect(controller.handleKey(.character("]")) == .handled)
        gate.signal()
        waitUntil { engine.draftLengths.count == 2 }
        #expect(controller.handleKey(.character("-")) == .handled)
        gate.signal()
        waitUntil { engine.draftLengths.count == 3 }
        #expect(controller.handleKey(.character("a")) == .handled)
        gate.signal()
        waitUntil { engine.draftLengths.count == 4 }
        #expect(engine.draftLengths == [.fixed(3), .fixed(5), .fixed(4), .auto])
        #expect(controller.status.draftLength == .auto)
        _ = controller.handleKey(.ctrlC)
        gate.signal()
        controller.waitForReply()
    }

    @Test func ctrlCKeepsPartialReply() throws {
        let gate = DispatchSemaphore(value: 0)
        let engine = FakeEngine(replyText: "abcdefghijklmnopqrstuvwxyz", roundGate: gate)
        let controller = Self.makeController(engine: engine)
        controller.submit(line: "go")
        gate.signal()
        gate.signal()
        waitUntil { engine.draftLengths.count == 2 }
        #expect(controller.handleKey(.ctrlC) == .handled)
        gate.signal()
        controller.waitForReply()
        let reply = try #require(controller.session.messages.last)
        #expect(reply.role == .assistant)
        #expect(!reply.content.isEmpty)
        #expect("abcdefghijklmnopqrstuvwxyz".hasPrefix(reply.content))
        #expect(controller.transcript.entries.last == .notice("[stopped; the partial reply stays in the conversation]", .notice))
        // The conversation goes on after a stop.
        engine.replyText = "ok"
        controller.submit(line: "again")
        for _ in 0..<8 { gate.signal() }
        controller.waitForReply()
        #expect(controller.session.messages.last == .assistant("ok"))
    }

    @Test func failureKeepsHistory() {
        let engine = FakeEngine(replyText: "abcdefghij")
        engine.failAfterRounds = 2
        let controller = Self.makeController(engine: engine)
        controller.submit(line: "go")
        controller.waitForReply()
        #expect(controller.session.messages.count == 2)
        #expect(controller.status.messageIsError)
        #expect(controller.status.message == "generation failed: the fake model failed")
        engine.failAfterRounds = nil
        controller.submit(line: "again")
        controller.waitForReply()
        #expect(controller.session.messages.count == 4)
    }

    @Test func keysWhileIdle() {
        let controller = Self.makeController()
        #expect(controller.handleKey(.character("?")) == .handled)
        #expect(controller.isHelpVisible)
        #expect(controller.handleKey(.character("x")) == .handled)
        #expect(!controller.isHelpVisible)
        #expect(controller.handleKey(.f1) == .handled)
        #expect(controller.isHelpVisible)
        _ = controller.handleKey(.f1)
        #expect(controller.handleKey(.character("+")) == .passToEditor)
        #expect(controller.handleKey(.tab) == .handled)
        #expect(controller.focus == .panel)
        #expect(controller.handleKey(.ctrlC) == .clearLine)
        controller.editor.text = "typed"
        #expect(controller.handleKey(.character("?")) == .passToEditor)
    }

    @Test func commandErrorsGoToStatusBar() {
        let controller = Self.makeController()
        controller.submit(line: "/bogus")
        #expect(controller.status.message == "unknown command /bogus; type /help for the list")
        #expect(controller.status.messageIsError)
        controller.submit(line: "/theme nope")
        #expect(controller.status.messageIsError)
        #expect(controller.status.message?.contains("not found") == true)
        controller.submit(line: "/theme light")
        #expect(controller.theme.name == "light")
        #expect(!controller.status.messageIsError)
    }

    @Test func settingCommands() {
        let controller = Self.makeController()
        controller.submit(line: "/draft auto")
        controller.submit(line: "/temp 0.5")
        controller.submit(line: "/topp 0.8")
        controller.submit(line: "/seed 9")
        controller.submit(line: "/system Be terse.")
        let settings = controller.session.settings
        #expect(settings.draftLength == .auto)
        #expect(settings.sampler.temperature == 0.5)
        #expect(settings.sampler.topP == 0.8)
        #expect(settings.sampler.seed == 9)
        #expect(settings.systemPrompt == "Be terse.")
        #expect(controller.session.conversation.first == .system("Be terse."))
        controller.submit(line: "/quit")
        #expect(controller.shouldQuit)
    }

    @Test func multiLineMessageIsSentWhole() {
        let engine = FakeEngine()
        let controller = Self.makeController(engine: engine)
        controller.submit(line: "line one\\")
        #expect(!controller.isGenerating)
        #expect(controller.prompt == "… ")
        controller.submit(line: "/not a command")
        controller.waitForReply()
        #expect(controller.session.messages.first == .user("line one\n/not a command"))
    }

    @Test func saveAndLoadRoundTrip() throws {
        let directory = NSTemporaryDirectory() + "hunch-tui-save-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let controller = Self.makeController()
        controller.submit(line: "/system Short answers.")
        controller.submit(line: "hi")
        controller.waitForReply()
        controller.submit(line: "/save \(directory)/chat.md")
        #expect(controller.status.message == "saved \(directory)/chat.md and \(directory)/chat.json")
        let markdown = try String(contentsOfFile: directory + "/chat.md", encoding: .utf8)
        #expect(markdown.contains("## System\n\nShort answers.\n\n## User\n\nhi\n\n## Assistant\n\nHello, world!\n"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/chat.json"))) as? [String: Any]
        let rounds = try #require(json?["rounds"] as? [[String: Any]])
        #expect(rounds.count == controller.session.roundLog.count)
        #expect(rounds.first?["acceptedCount"] as? Int == 0)

        let other = Self.makeController()
        other.submit(line: "/load \(directory)/chat.md")
        #expect(other.session.messages == [.user("hi"), .assistant("Hello, world!")])
        #expect(other.session.settings.systemPrompt == "Short answers.")
        // Without the JSON file, the Markdown headings are read.
        try FileManager.default.removeItem(atPath: directory + "/chat.json")
        let third = Self.makeController()
        third.submit(line: "/load \(directory)/chat.md")
        #expect(third.session.messages == [.user("hi"), .assistant("Hello, world!")])
        third.submit(line: "/save \(directory)/chat.json")
        #expect(third.status.messageIsError)
        third.submit(line: "/save \(directory)/no-such-directory/chat.md")
        #expect(third.status.message == "/save: cannot write \(directory)/no-such-directory/chat.md: the directory \(directory)/no-such-directory does not exist; create it or choose another path")
        third.submit(line: "/load \(directory)/missing.md")
        #expect(third.status.message == "/load: \(directory)/missing.md: file not found")
    }

    @Test func clearStartsOver() {
        let controller = Self.makeController()
        controller.submit(line: "hi")
        controller.waitForReply()
        controller.submit(line: "/clear")
        #expect(controller.session.messages.isEmpty)
        #expect(controller.transcript.entries.isEmpty)
        #expect(controller.panel.entries.isEmpty)
        controller.submit(line: "/stats")
        #expect(controller.transcript.entries.count == 1)
    }

    private func waitUntil(_ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(10)
        while !condition(), Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
    }
}

@Suite struct RenderTests {
    @Test func drawsPanesStatusAndInput() throws {
        let controller = ChatControllerTests.makeController()
        controller.submit(line: "write 日本語")
        controller.waitForReply()
        controller.editor = EditorDisplay(prompt: "› ", text: "next", cursorByte: 2)
        let screen = TextScreen(rows: 20, columns: 90)
        controller.render(on: screen)
        let text = screen.text
        #expect(screen.text(row: 0).hasPrefix(" Chat"))
        #expect(text.contains("› write 日本語"))
        #expect(text.contains("Hello, world!"))
        #expect(text.contains("#0 K3"))
        #expect(screen.text(row: 18).hasPrefix(" fake-target … │ K 3 │ accept"))
        #expect(screen.text(row: 19).hasPrefix("› next"))
        #expect(screen.cursor! == (19, 4))
        #expect(screen.role(row: 18, column: 3) == .status)
        #expect(screen.theme == .builtInDefault)
        // The border runs between the panes.
        let border = try #require(ScreenLayout(size: screen.size, inputRows: 1, focus: .chat).borderColumn)
        #expect(screen.cells[5][border].text == "│")
        // Every row is exactly the screen's width.
        for row in 0..<20 { #expect(TextWidth.columns(of: screen.text(row: row)) == 90, "row \(row): \(screen.text(row: row))") }
    }

    @Test func panelColoursTokens() throws {
        let controller = ChatControllerTests.makeController()
        controller.submit(line: "x")
        controller.waitForReply()
        let screen = TextScreen(rows: 20, columns: 90)
        controller.render(on: screen)
        let roles = Set(screen.cells.flatMap { $0 }.map(\.role))
        #expect(roles.isSuperset(of: [.accepted, .rejected, .correction, .user, .assistant, .status, .border]))
    }

    @Test func tinyTerminalShowsOnlyMessage() {
        let controller = ChatControllerTests.makeController()
        let screen = TextScreen(rows: 3, columns: 15)
        controller.render(on: screen)
        #expect(screen.text.hasPrefix("Terminal too"))
        #expect(screen.cursor == nil)
    }

    @Test func narrowTerminalFallsBackToOnePane() {
        let controller = ChatControllerTests.makeController()
        controller.submit(line: "x")
        controller.waitForReply()
        let screen = TextScreen(rows: 10, columns: 40)
        controller.render(on: screen)
        #expect(screen.text(row: 0).hasPrefix(" Chat  Tab: speculation"))
        _ = controller.handleKey(.tab)
        controller.render(on: screen)
        #expect(screen.text(row: 0).hasPrefix(" Speculation"))
    }

    @Test func helpOverlayListsCommands() {
        let controller = ChatControllerTests.makeController()
        _ = controller.handleKey(.f1)
        let screen = TextScreen(rows: 40, columns: 100)
        controller.render(on: screen)
        for command in ["/draft N|auto", "/save FILE", "/theme NAME", "Ctrl-C", "PgUp / PgDn"] {
            #expect(screen.text.contains(command), "\(command)")
        }
    }

    @Test func cursorFollowsWideCharacters() {
        let wrapped = ChatController.wrapEditor(EditorDisplay(prompt: "› ", text: "中文ab", cursorByte: 6), width: 10)
        #expect(wrapped.cursor == (0, 6))
        let long = ChatController.wrapEditor(EditorDisplay(prompt: "› ", text: "abcdefghij", cursorByte: 10), width: 6)
        #expect(long.lines.map(\.text) == ["› abcd", "efghij", ""])
        #expect(long.cursor == (2, 0))
    }

    @Test func historyPathFollowsXDG() {
        let state = NSTemporaryDirectory() + "hunch-xdg-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        #expect(LineEditor.defaultHistoryPath(environment: ["XDG_STATE_HOME": state]) == state + "/hunch/history")
        #expect(LineEditor.defaultHistoryPath(environment: ["XDG_STATE_HOME": "relative", "HOME": state]) == state + "/.local/state/hunch/history")
    }
}
