import Foundation
import Testing
@testable import HunchCore

/// The SIMD kernels against scalar references, at sizes around the 8-lane block width.
@Suite struct SamplingKernelTests {
    static let oddSizes = [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 63, 127, 1023, 1025]

    /// Logits with many exact ties: small integers.
    static func tiedLogits(count: Int, seed: UInt64) -> [Float] {
        var generator = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in Float(generator.next() % 7) - 3 }
    }

    static func randomLogits(count: Int, seed: UInt64) -> [Float] {
        var generator = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in generator.nextUnitFloat() * 40 - 20 }
    }

    static func scan(_ logits: [Float]) -> (fast: LogitKernels.Scan, scalar: LogitKernels.Scan) {
        logits.withUnsafeBufferPointer { (LogitKernels.scan($0), LogitKernels.scanScalar($0)) }
    }

    // MARK: - Scan and argmax

    @Test(arguments: oddSizes)
    func scanMatchesScalarOnTies(count: Int) {
        let logits = Self.tiedLogits(count: count, seed: UInt64(count))
        let result = Self.scan(logits)
        #expect(result.fast == result.scalar)
        #expect(result.fast.argmax == logits.firstIndex(of: logits.max()!))
    }

    @Test(arguments: oddSizes)
    func scanMatchesScalarOnRandom(count: Int) {
        let result = Self.scan(Self.randomLogits(count: count, seed: 100 + UInt64(count)))
        #expect(result.fast == result.scalar)
    }

    @Test(arguments: oddSizes)
    func argmaxPrefersLowestIndexOfMaximum(count: Int) {
        var logits = [Float](repeating: 1, count: count)
        logits[count - 1] = 2
        if count > 2 { logits[count / 2] = 2 }
        let expected = count > 2 ? count / 2 : count - 1
        #expect(Sampler.argmax(logits) == expected)
    }

    @Test func argmaxOfAllEqualIsZero() {
        #expect(Sampler.argmax([Float](repeating: -4, count: 19)) == 0)
        #expect(Sampler.argmax([Float](repeating: -.infinity, count: 19)) == 0)
    }

    @Test(arguments: [0, 3, 8, 16, 18])
    func scanFindsFirstNonFinite(position: Int) {
        var logits = Self.randomLogits(count: 19, seed: 5)
        logits[position] = .nan
        logits[18] = .infinity
        let result = Self.scan(logits)
        #expect(result.fast.firstNonFinite == position)
        #expect(result.scalar.firstNonFinite == position)
    }

    @Test func argmaxSkipsNaN() {
        var logits = Self.randomLogits(count: 33, seed: 6)
        logits[0] = .nan
        logits[20] = 100
        logits[21] = .nan
        #expect(Sampler.argmax(logits) == 20)
        #expect(Self.scan(logits).fast == Self.scan(logits).scalar)
    }

    // MARK: - Exponential

    /// The SIMD exp against Foundation's Double exp over [-87, 0], relative error below
    /// 4 Float ulps (4 * 2^-23 ≈ 4.8e-7).
    @Test func expMatchesFoundation() {
        var worst = 0.0
        var x: Float = 0
        while x >= -87 {
            let fast = Double(LogitKernels.exp(LogitKernels.Block(repeating: x))[0])
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(fast - exact) / exact)
            x -= 0.001_37
        }
        #expect(worst < 4.8e-7)
    }

    @Test func expEdges() {
        let values = LogitKernels.exp(LogitKernels.Block(0, -87, -87.5, -100, -.infinity, -1e30, -0.5, -1))
        #expect(values[0] == 1)
        #expect(values[1] > 0)
        #expect(values[2] == 0)
        #expect(values[3] == 0)
        #expect(values[4] == 0)
        #expect(values[5] == 0)
        #expect(abs(values[6] - 0.606_530_66) < 1e-7)
        #expect(abs(values[7] - 0.367_879_44) < 1e-7)
    }

    @Test(arguments: oddSizes)
    func sumExpMatchesDoubleSum(count: Int) {
        let logits = Self.randomLogits(count: count, seed: 200 + UInt64(count))
        let maximum = logits.max()!
        let expected = logits.reduce(0.0) { $0 + Foundation.exp(Double($1 - maximum)) }
        let sum = logits.withUnsafeBufferPointer { LogitKernels.sumExp($0, maximum: maximum) }
        #expect(abs(sum - expected) / expected < 1e-6)
    }

    // MARK: - Selection and sorting

    static func referenceRank(_ logits: [Float]) -> [Int] {
        logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
    }

    @Test(arguments: oddSizes.filter { $0 > 1 })
    func topRankedMatchesFullSort(count: Int) {
        for logits in [Self.tiedLogits(count: count, seed: 300), Self.randomLogits(count: count, seed: 301)] {
            let expected = Self.referenceRank(logits)
            for k in Set([1, 2, count / 2, count - 1]) where k > 0 && k < count {
                let top = logits.withUnsafeBufferPointer { CandidateSelection.topRanked($0, count: k) }
                #expect(top.map { Int($0.id) } == Array(expected.prefix(k)))
                #expect(top.map(\.logit) == expected.prefix(k).map { logits[$0] })
            }
        }
    }

    @Test(arguments: [5, 300, 5000])
    func radixSortMatchesFullSort(count: Int) {
        for logits in [Self.tiedLogits(count: count, seed: 400), Self.randomLogits(count: count, seed: 401)] {
            var withZeros = logits
            if count > 10 {
                withZeros[3] = -0.0
                withZeros[7] = 0
                withZeros[9] = -.infinity
            }
            var candidates = withZeros.enumerated().map { Candidate(id: Int32($0.offset), logit: $0.element) }
            CandidateSelection.sortAscendingIDsByRank(&candidates)
            #expect(candidates.map { Int($0.id) } == Self.referenceRank(withZeros))
            #expect(candidates.allSatisfy { $0.logit == withZeros[Int($0.id)] })
        }
    }

    @Test func orderKeyIsMonotone() {
        let values: [Float] = [-.infinity, -1e30, -2, -1, -1e-30, 0, 1e-30, 1, 2, 1e30, .infinity]
        let keys = values.map(CandidateSelection.orderKey)
        #expect(keys == keys.sorted())
        #expect(Set(keys).count == keys.count)
        #expect(CandidateSelection.orderKey(-0.0) == CandidateSelection.orderKey(0))
        for value in values {
            #expect(CandidateSelection.logit(fromOrderKey: CandidateSelection.orderKey(value)) == value)
        }
    }

    @Test(arguments: oddSizes)
    func gatherMatchesFilter(count: Int) {
        let logits = Self.randomLogits(count: count, seed: 500 + UInt64(count))
        for threshold: Float in [-21, -5, 0, 15, 25] {
            let gathered = logits.withUnsafeBufferPointer { LogitKernels.candidates($0, atLeast: threshold) }
            let expected = logits.indices.filter { logits[$0] >= threshold }
            #expect(gathered.map { Int($0.id) } == expected)
            #expect(gathered.map(\.logit) == expected.map { logits[$0] })
        }
    }

    // MARK: - Patched reads

    /// Patches at the first and last index, on block edges and in the tail, against the
    /// same kernels on a patched copy.
    @Test(arguments: oddSizes.filter { $0 >= 9 })
    func patchedKernelsMatchCopy(count: Int) {
        let logits = Self.randomLogits(count: count, seed: 600 + UInt64(count))
        let ids = Set([0, 7, 8, count / 2, count - 2, count - 1]).sorted()
        let patches = ids.enumerated().map { Candidate(id: Int32($0.element), logit: $0.offset % 2 == 0 ? 30 : -30) }
        var copy = logits
        for patch in patches {
            copy[Int(patch.id)] = patch.logit
        }

        logits.withUnsafeBufferPointer { raw in
            copy.withUnsafeBufferPointer { patched in
                #expect(LogitKernels.maximum(raw, patches: patches) == copy.max())
                let maximum = copy.max()!
                #expect(LogitKernels.sumExp(raw, patches: patches, maximum: maximum) == LogitKernels.sumExp(patched, maximum: maximum))
                for threshold: Float in [-31, 0, 29] {
                    #expect(LogitKernels.candidates(raw, patches: patches, atLeast: threshold)
                        == LogitKernels.candidates(patched, atLeast: threshold))
                }
            }
        }
    }
}
