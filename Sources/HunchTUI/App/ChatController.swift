import Foundation
import HunchCore

/// The caller's next step for a key, returned by `ChatController.handleKey`.
public enum KeyOutcome: Sendable, Equatable {
    /// The controller used the key.
    case handled
    /// The key is for the line editor.
    case passToEditor
    /// The line editor should drop its line (Ctrl-C while idle).
    case clearLine
}

/// The line editor's text as the input area shows it.
public struct EditorDisplay: Sendable, Equatable {
    /// The prompt readline shows (the reverse-search prompt during Ctrl-R).
    public var prompt: String
    public var text: String
    /// Cursor position in `text`, in UTF-8 bytes (readline's `rl_point`).
    public var cursorByte: Int

    public init(prompt: String = "› ", text: String = "", cursorByte: Int = 0) {
        self.prompt = prompt
        self.text = text
        self.cursorByte = cursorByte
    }
}

/// The chat screen's state and logic, without a terminal: keys, submitted lines
/// and generation events change it, and `render` draws it on a `Screen`.
public final class ChatController {
    public let session: ChatSession
    public private(set) var transcript = Transcript()
    public private(set) var panel = SpeculationPanel()
    public private(set) var status: StatusInfo
    public private(set) var focus: Pane = .chat
    public private(set) var isHelpVisible = false
    public private(set) var isGenerating = false
    public private(set) var shouldQuit = false
    public private(set) var theme: Theme
    /// Set when the theme changed and the screen has not applied it yet.
    public var themeNeedsApplying = true
    public private(set) var input = MultiLineInput()
    public var editor = EditorDisplay()
    /// Called with each message from the generation thread before the controller applies it (plain mode prints from it).
    public var onWorkerMessage: ((WorkerMessage) -> Void)?

    var chatScroll = ScrollPosition()
    /// First help line shown in the overlay.
    var helpScroll = 0
    var panelScroll = ScrollPosition()
    /// Body height of each pane at the last render, for page-sized scrolling.
    var lastPaneHeight = 10

    let control: GenerationControl
    public let queue = WorkerQueue()
    private var replyText = ""
    /// K that `a` returns to when switching auto off.
    private var lastFixedDraftLength: Int
    private let loadTheme: (String) throws(ThemeError) -> Theme

    public init(session: ChatSession, theme: Theme, loadTheme: @escaping (String) throws(ThemeError) -> Theme = { name throws(ThemeError) in try Theme.load(name) }) {
        self.session = session
        self.theme = theme
        self.loadTheme = loadTheme
        control = GenerationControl(draftLength: session.settings.draftLength)
        if case .fixed(let k) = session.settings.draftLength { lastFixedDraftLength = k } else { lastFixedDraftLength = 4 }
        status = StatusInfo(
            targetName: session.engine.targetName, draftName: session.engine.draftName,
            draftLength: session.settings.draftLength, contextLength: session.engine.contextLength
        )
        status.contextUsed = session.engine.contextUsed
    }

    /// Shows `text` in the status bar until the next submitted line.
    public func showMessage(_ text: String, isError: Bool = false) {
        status.message = text.replacingOccurrences(of: "\n", with: " ")
        status.messageIsError = isError
    }

    public func dismissHelp() { isHelpVisible = false }

    /// Shows the help overlay from its first line.
    func showHelp() {
        isHelpVisible = true
        helpScroll = 0
    }

    // MARK: - Keys

    public func handleKey(_ key: Key) -> KeyOutcome {
        if key == .resize { return .handled }
        if isHelpVisible {
            switch key {
            case .pageUp: helpScroll = max(helpScroll - 5, 0)
            case .pageDown: helpScroll += 5
            default: isHelpVisible = false
            }
            return .handled
        }
        switch key {
        case .f1:
            showHelp()
            return .handled
        case .tab:
            focus = focus == .chat ? .panel : .chat
            return .handled
        case .pageUp, .pageDown:
            let pages = key == .pageUp ? 1 : -1
            if focus == .chat {
                chatScroll.scroll(pages: pages, height: lastPaneHeight)
            } else {
                panelScroll.scroll(pages: pages, height: lastPaneHeight)
            }
            return .handled
        default:
            break
        }

        if isGenerating {
            switch key {
            case .character("+"), .character("="), .character("]"): changeDraftLength(by: 1)
            case .character("-"), .character("_"), .character("["): changeDraftLength(by: -1)
            case .character("a"), .character("A"): toggleAutoDraftLength()
            case .ctrlC:
                cancelReply()
                showMessage("stopping the reply…")
            case .character:
                showMessage("a reply is streaming: +/- change K, a switches auto, Ctrl-C stops it")
            default:
                break
            }
            return .handled
        }

        if key == .character("?"), editor.text.isEmpty, !input.isContinuing, editor.prompt == input.prompt {
            showHelp()
            return .handled
        }
        if key == .ctrlC {
            input.reset()
            status.message = nil
            return .clearLine
        }
        return .passToEditor
    }

    /// The draft length of the next round as a number, for +/- from auto.
    private var currentDraftLength: Int {
        switch control.draftLength {
        case .fixed(let k): k
        case .auto: status.latestDraftLength ?? lastFixedDraftLength
        }
    }

    func changeDraftLength(by delta: Int) {
        let k = min(max(currentDraftLength + delta, 1), DraftLengthSetting.maximum)
        setDraftLength(.fixed(k))
    }

    func toggleAutoDraftLength() {
        setDraftLength(control.draftLength == .auto ? .fixed(lastFixedDraftLength) : .auto)
    }

    private func setDraftLength(_ setting: DraftLengthSetting) {
        if case .fixed(let k) = setting { lastFixedDraftLength = k }
        control.draftLength = setting
        session.settings.draftLength = setting
        status.draftLength = setting
        showMessage("draft length \(setting)" + (isGenerating ? " from the next round" : ""))
    }

    // MARK: - Submitted lines

    /// Takes a line from the line editor; nil is end of input (Ctrl-D on an empty line).
    public func submit(line: String?) {
        guard let line else {
            shouldQuit = true
            return
        }
        status.message = nil
        guard let message = input.add(line) else { return }
        if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
        if !message.contains("\n") {
            do {
                if let command = try SlashCommand.parse(message) {
                    run(command)
                    return
                }
            } catch {
                showMessage(error.description, isError: true)
                return
            }
        }
        send(message)
    }

    /// The prompt for the next line of input.
    public var prompt: String { input.prompt }

    func send(_ message: String) {
        let tokens: [Int]
        do {
            tokens = try session.beginReply(to: message)
        } catch {
            showMessage("cannot send: \(error)", isError: true)
            return
        }
        transcript.appendUser(message)
        transcript.beginReply()
        panel.append(.heading("reply \(session.replyCount)"))
        replyText = ""
        chatScroll = ScrollPosition()
        panelScroll = ScrollPosition()

        control.resetCancel()
        control.draftLength = session.settings.draftLength
        let stepSeconds = status.stats.targetStepSeconds
        status.stats = GenerationStats()
        status.stats.targetStepSeconds = stepSeconds
        status.contextUsed = tokens.count
        status.isGenerating = true
        isGenerating = true
        GenerationWorker.start(
            engine: session.engine, tokens: tokens, options: session.settings.generationOptions,
            control: control, queue: queue
        )
    }

    /// Stops the reply in progress after its current round.
    public func cancelReply() {
        control.cancel()
    }

    // MARK: - Generation events

    /// Applies everything the generation thread queued; returns whether anything changed.
    @discardableResult
    public func pollWorker() -> Bool {
        let messages = queue.drain()
        for message in messages { apply(message) }
        return !messages.isEmpty
    }

    func apply(_ message: WorkerMessage) {
        onWorkerMessage?(message)
        switch message {
        case .event(.promptProcessed(let tokens, let seconds)):
            status.stats.promptTokens = tokens
            status.stats.promptSeconds = seconds
        case .event(.round(let round, let text)):
            session.record(round)
            panel.append(.round(PanelRound(round, tokenizer: session.engine.tokenizer)))
            replyText += text
            transcript.appendReplyText(text)
            status.stats.add(round)
            status.latestDraftLength = round.targetTokenKind == .plain ? nil : round.draftLength
            status.contextUsed += round.emitted.count
        case .event(.finished(let reason, let stats)):
            session.endReply(text: replyText, stats: stats)
            status.stats = stats
            finishGeneration()
            switch reason {
            case .endOfText: break
            case .cancelled: transcript.appendNotice("[stopped; the partial reply stays in the conversation]")
            case .tokenLimit: transcript.appendNotice("[reply cut at \(session.settings.maxTokens) tokens]")
            case .contextFull: transcript.appendNotice("[the context is full; /clear starts a new conversation]", role: .error)
            }
        case .failed(let description):
            session.endReply(text: replyText, stats: nil)
            finishGeneration()
            transcript.appendNotice("[generation failed: \(description)]", role: .error)
            showMessage("generation failed: \(description)", isError: true)
        }
    }

    private func finishGeneration() {
        isGenerating = false
        status.isGenerating = false
        status.contextUsed = session.engine.contextUsed
        if status.message == "stopping the reply…" { status.message = nil }
    }

    /// Blocks until the reply in progress ends, applying its events (for plain mode and tests).
    public func waitForReply(pollInterval: TimeInterval = 0.005) {
        while isGenerating {
            if !pollWorker() { Thread.sleep(forTimeInterval: pollInterval) }
        }
    }

    // MARK: - Commands

    func run(_ command: SlashCommand) {
        switch command {
        case .help:
            showHelp()
        case .draft(let setting):
            setDraftLength(setting)
        case .temperature(let value):
            session.settings.sampler.temperature = value
            showMessage("temperature \(value)" + (value == 0 ? " (greedy)" : ""))
        case .topP(let value):
            session.settings.sampler.topP = value
            showMessage("top-p \(value)")
        case .seed(let seed):
            session.settings.sampler.seed = seed
            showMessage(seed.map { "seed \($0)" } ?? "seed from the system's random source")
        case .system(let text):
            session.settings.systemPrompt = text
            showMessage(text == nil ? "system message: the model's default" : "system message set")
        case .clear:
            session.clear()
            transcript.removeAll()
            panel.removeAll()
            showMessage("new conversation")
        case .save(let path):
            do {
                let written = try ConversationFile.save(session, to: path)
                showMessage("saved \(written.markdown) and \(written.json)")
            } catch {
                showMessage("/save: \(error)", isError: true)
            }
        case .load(let path):
            do {
                let messages = try ConversationFile.load(from: path)
                session.replaceConversation(with: messages)
                rebuildTranscript()
                panel.removeAll()
                showMessage("loaded \(messages.count) messages from \(path)")
            } catch {
                showMessage("/load: \(error)", isError: true)
            }
        case .stats:
            transcript.appendNotice(statsReport())
        case .theme(let name):
            do {
                theme = try loadTheme(name)
                themeNeedsApplying = true
                showMessage("theme \(theme.name)")
            } catch {
                showMessage(error.description, isError: true)
            }
        case .models:
            let engine = session.engine
            transcript.appendNotice(
                "target: \(engine.targetName)\ndraft: \(engine.draftName ?? "none")\nchat format: \(engine.chatTemplate.name)\ncontext: \(engine.contextUsed)/\(engine.contextLength) tokens"
            )
        case .quit:
            shouldQuit = true
        }
    }

    func statsReport() -> String {
        let totals = session.totals
        let replies = session.replyCount == 1 ? "1 reply" : "\(session.replyCount) replies"
        var lines = ["session: \(replies); \(totals.summary)"]
        let byPosition = totals.acceptanceByPosition
        if !byPosition.isEmpty {
            lines.append("acceptance by draft position: " + byPosition.enumerated().map { String(format: "%d:%.0f%%", $0.offset + 1, $0.element * 100) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    private func rebuildTranscript() {
        transcript.removeAll()
        if let system = session.settings.systemPrompt { transcript.appendNotice("system: \(system)") }
        for message in session.messages {
            switch message.role {
            case .user: transcript.appendUser(message.content)
            case .assistant: transcript.appendReplyText(message.content)
            case .system: transcript.appendNotice("system: \(message.content)")
            }
        }
    }
}
