import Testing
@testable import HunchCore

@Suite struct SamplingGeneratorTests {
    /// Published xoshiro256** outputs from the state {1, 2, 3, 4}, as the reference C
    /// implementation produces them.
    @Test func xoshiroReferenceVector() {
        var generator = Xoshiro256StarStar(state: (1, 2, 3, 4))
        let expected: [UInt64] = [
            11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360,
            607_988_272_756_665_600, 16_172_922_978_634_559_625, 8_476_171_486_693_032_832,
            10_595_114_339_597_558_777, 2_904_607_092_377_533_576,
        ]
        #expect((0..<10).map { _ in generator.next() } == expected)
    }

    /// Published SplitMix64 outputs for the seeds 0 and 1234567.
    @Test func splitMixReferenceVectors() {
        var fromZero = SplitMix64(state: 0)
        #expect((0..<4).map { _ in fromZero.next() } == [
            0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC,
        ])
        var fromSeed = SplitMix64(state: 1_234_567)
        #expect((0..<5).map { _ in fromSeed.next() } == [
            6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
        ])
    }

    @Test func seedFillsStateFromSplitMix() {
        let generator = Xoshiro256StarStar(seed: 0)
        #expect(generator.state == (0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC))
    }

    @Test func allZeroStateIsReplaced() {
        let generator = Xoshiro256StarStar(state: (0, 0, 0, 0))
        #expect(generator == Xoshiro256StarStar(seed: 0))
    }

    @Test func sameSeedSameStream() {
        var first = Xoshiro256StarStar(seed: 42)
        var second = Xoshiro256StarStar(seed: 42)
        #expect((0..<1000).map { _ in first.next() } == (0..<1000).map { _ in second.next() })
    }

    @Test func differentSeedsDiffer() {
        var first = Xoshiro256StarStar(seed: 42)
        var second = Xoshiro256StarStar(seed: 43)
        let a = (0..<100).map { _ in first.next() }
        let b = (0..<100).map { _ in second.next() }
        #expect(zip(a, b).allSatisfy { $0 != $1 })
    }

    // MARK: - Unit draws

    /// A generator that returns fixed words, to check the mapping to [0, 1) exactly.
    struct FixedWords: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.removeFirst() }
    }

    @Test func unitDoubleUsesTop53Bits() {
        var generator = FixedWords(words: [0, .max, 1 << 63, 0x7FF])
        #expect(generator.nextUnitDouble() == 0)
        #expect(generator.nextUnitDouble() == 1 - 0x1p-53)
        #expect(generator.nextUnitDouble() == 0.5)
        #expect(generator.nextUnitDouble() == 0)
    }

    @Test func unitFloatUsesTop24Bits() {
        var generator = FixedWords(words: [0, .max, 1 << 63, 0xFF_FFFF_FFFF])
        #expect(generator.nextUnitFloat() == 0)
        #expect(generator.nextUnitFloat() == 1 - 0x1p-24)
        #expect(generator.nextUnitFloat() == 0.5)
        #expect(generator.nextUnitFloat() == 0)
    }

    @Test func seededUnitDrawsAreFixed() {
        var generator = Xoshiro256StarStar(state: (1, 2, 3, 4))
        #expect(generator.nextUnitDouble() == Double(11520 >> 11) * 0x1p-53)
        #expect(generator.nextUnitDouble() == 0)
        #expect(generator.nextUnitFloat() == Float(1_509_978_240 >> 40) * 0x1p-24)
    }

    @Test func settingsGeneratorFollowsSeed() {
        let settings = SamplerSettings(seed: 7)
        #expect(settings.makeGenerator() == Xoshiro256StarStar(seed: 7))
    }
}
