import Foundation
import Testing
@testable import HunchCore

/// Rendering against fixtures that scripts/make-chat-template-fixtures.py produced from
/// the real Jinja templates of the GGUF files (ChatML) and from Meta's reference format
/// (Llama 2).
@Suite struct ChatTemplateTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var messages: [ChatMessage]
            var add_generation_prompt: Bool
            var expected: String
        }

        var source: String
        var jinja_template: String?
        var cases: [Case]
    }

    static func fixture(_ name: String) throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/chat"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static let fixtureTemplates: [(file: String, template: ChatTemplate)] = [
        ("chatml-qwen2.5", .chatML(defaultSystemPrompt: ChatTemplate.qwenDefaultSystemPrompt)),
        ("chatml-smollm2", .chatML(defaultSystemPrompt: ChatTemplate.smolLM2DefaultSystemPrompt)),
        ("llama2", .llama2),
    ]

    // MARK: - Fixtures

    @Test(arguments: fixtureTemplates)
    func renderMatchesReference(file: String, template: ChatTemplate) throws {
        let fixture = try Self.fixture(file)
        #expect(fixture.cases.count >= 8)
        for testCase in fixture.cases {
            let rendered = try template.render(testCase.messages, addGenerationPrompt: testCase.add_generation_prompt)
            #expect(rendered == testCase.expected, "\(file): \(testCase.name)")
        }
    }

    /// Detection from the Jinja text stored in the fixture, which is the GGUF's own.
    @Test(arguments: fixtureTemplates.prefix(2))
    func detectFromFixtureJinja(file: String, template: ChatTemplate) throws {
        let jinja = try #require(try Self.fixture(file).jinja_template)
        #expect(ChatTemplate.detect(templateString: jinja, architecture: nil, modelName: nil) == template)
    }

    @Test(arguments: fixtureTemplates.prefix(2))
    func chatMLContentStaysInContentSegments(file: String, template: ChatTemplate) throws {
        for testCase in try Self.fixture(file).cases {
            let segments = try template.segments(testCase.messages, addGenerationPrompt: testCase.add_generation_prompt)
            let contents = segments.compactMap { segment -> String? in
                if case .content(let text) = segment { return text }
                return nil
            }
            #expect(contents == testCase.messages.map(\.content).filter { !$0.isEmpty }, "\(testCase.name)")
            #expect(segments.map(\.text).joined() == testCase.expected, "\(testCase.name)")
        }
    }

    // MARK: - Real model files

    static let modelDirectory = "/tmp/wheels/models/"
    static let realModels: [(file: String, template: ChatTemplate)] = [
        ("qwen2.5-coder-1.5b-instruct.gguf", .chatML(defaultSystemPrompt: ChatTemplate.qwenDefaultSystemPrompt)),
        ("qwen2.5-coder-0.5b-instruct.gguf", .chatML(defaultSystemPrompt: ChatTemplate.qwenDefaultSystemPrompt)),
        ("smollm2-135m-instruct.gguf", .chatML(defaultSystemPrompt: ChatTemplate.smolLM2DefaultSystemPrompt)),
    ]

    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: modelDirectory + realModels[0].file), "needs the downloaded models"),
        arguments: realModels)
    func detectFromRealModel(file: String, template: ChatTemplate) throws {
        let gguf = try GGUFFile(path: Self.modelDirectory + file)
        #expect(try ChatTemplate.detect(gguf: gguf) == template)
    }

    // MARK: - Detection

    @Test func detectTable() {
        let cases: [(String?, String?, String?, ChatTemplate)] = [
            ("{{ '<|im_start|>' + message['role'] }}", "llama", nil, .chatML(defaultSystemPrompt: nil)),
            ("{{ bos_token + '[INST] ' + content + ' [/INST]' }}", "llama", nil, .llama2),
            ("{{ '<|start_header_id|>' }}", "llama", "Llama 3 Instruct", .none),
            (nil, "qwen2", "Qwen2.5 Coder 1.5B Instruct", .chatML(defaultSystemPrompt: nil)),
            (nil, "qwen2", "Qwen2.5 0.5B", .none),
            (nil, "llama", "SmolLM2 135M Instruct", .none),
            (nil, nil, nil, .none),
        ]
        for (template, architecture, name, expected) in cases {
            #expect(ChatTemplate.detect(templateString: template, architecture: architecture, modelName: name) == expected,
                    "\(template ?? "nil"), \(architecture ?? "nil"), \(name ?? "nil")")
        }
    }

    @Test func defaultPromptEscapes() {
        let jinja = #"{% if x %}{{ '<|im_start|>system\n' + y + '<|im_end|>' }}{% else %}{{ '<|im_start|>system\nIt\'s a \"test\".<|im_end|>\n' }}{% endif %}"#
        #expect(ChatTemplate.chatMLDefaultSystemPrompt(inJinja: jinja) == "It's a \"test\".")
    }

    @Test func noDefaultPromptInGenericChatML() {
        let jinja = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        #expect(ChatTemplate.chatMLDefaultSystemPrompt(inJinja: jinja) == nil)
        #expect(ChatTemplate.chatMLDefaultSystemPrompt(inJinja: "<|im_start|>system") == nil)
    }

    // MARK: - ChatML edge cases

    @Test func emptyConversationChatML() throws {
        let qwen = ChatTemplate.chatML(defaultSystemPrompt: "Be nice.")
        #expect(try qwen.render([]) == "<|im_start|>system\nBe nice.<|im_end|>\n<|im_start|>assistant\n")
        #expect(try ChatTemplate.chatML(defaultSystemPrompt: nil).render([]) == "<|im_start|>assistant\n")
    }

    @Test func specialTokenSpellingInContent() throws {
        let segments = try ChatTemplate.chatML(defaultSystemPrompt: nil).segments([.user("a<|im_end|>b")])
        #expect(segments == [
            .template("<|im_start|>user\n"), .content("a<|im_end|>b"), .template("<|im_end|>\n<|im_start|>assistant\n"),
        ])
    }

    // MARK: - Llama 2 edge cases

    @Test func llama2EndingWithAssistant() throws {
        let text = try ChatTemplate.llama2.render([.user("Hi"), .assistant(" Hello. ")])
        #expect(text == "<s>[INST] Hi [/INST] Hello. </s>")
    }

    /// Meta strips the system block and the first user message as one string, so the
    /// user message keeps its leading space.
    @Test func llama2Segments() throws {
        let segments = try ChatTemplate.llama2.segments([.system("S "), .user(" u "), .assistant("a")])
        #expect(segments == [
            .template("<s>[INST] <<SYS>>\n"), .content("S "), .template("\n<</SYS>>\n\n"), .content(" u"),
            .template(" [/INST] "), .content("a"), .template(" </s>"),
        ])
    }

    @Test(arguments: [
        ([ChatMessage.assistant("a")], ChatTemplateError.unexpectedRole(format: "Llama 2", index: 0, found: .assistant, expected: .user)),
        ([.user("a"), .user("b")], .unexpectedRole(format: "Llama 2", index: 1, found: .user, expected: .assistant)),
        ([.system("s"), .user("a"), .system("b")], .unexpectedRole(format: "Llama 2", index: 2, found: .system, expected: .assistant)),
        ([.system("s")], .missingUserMessage(format: "Llama 2")),
        ([], .missingUserMessage(format: "Llama 2")),
    ])
    func llama2RejectsBadOrder(messages: [ChatMessage], expected: ChatTemplateError) {
        #expect(throws: expected) { try ChatTemplate.llama2.render(messages) }
    }

    @Test func llama2ErrorMessage() {
        let error = ChatTemplateError.unexpectedRole(format: "Llama 2", index: 1, found: .user, expected: .assistant)
        #expect(error.description == "the Llama 2 chat format needs user and assistant messages in turn after an optional first system message, but message 1 is from the user where the assistant is expected.")
    }

    // MARK: - Plain

    @Test func plainConcatenates() throws {
        let text = try ChatTemplate.none.render([.system("A"), .user("B "), .assistant("C")], addGenerationPrompt: true)
        #expect(text == "AB C")
    }
}
