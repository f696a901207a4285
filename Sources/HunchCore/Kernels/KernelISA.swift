import CHunchKernels

#if canImport(Glibc)
import Glibc
#endif

/// The instruction set the int8 kernels use.
public enum KernelISA: String, Sendable, CaseIterable {
    case portable
    case avx2
    case avx512VNNI = "avx512-vnni"

    var cValue: hunch_isa {
        switch self {
        case .portable: HUNCH_ISA_PORTABLE
        case .avx2: HUNCH_ISA_AVX2
        case .avx512VNNI: HUNCH_ISA_AVX512_VNNI
        }
    }

    /// The best set this CPU supports.
    public static let detected: KernelISA = {
        switch hunch_detect_isa() {
        case HUNCH_ISA_AVX512_VNNI: .avx512VNNI
        case HUNCH_ISA_AVX2: .avx2
        default: .portable
        }
    }()

    /// The sets this CPU can run, best last.
    public static var available: [KernelISA] {
        allCases.filter { $0.rank <= detected.rank }
    }

    var rank: Int {
        switch self {
        case .portable: 0
        case .avx2: 1
        case .avx512VNNI: 2
        }
    }

    /// The set to use: `HUNCH_ISA` from the environment when it names one this CPU
    /// supports, else the detected one.
    public static let active: KernelISA = {
        if let name = getenv("HUNCH_ISA").map({ String(cString: $0) }),
           let requested = KernelISA(rawValue: name), requested.rank <= detected.rank {
            return requested
        }
        return detected
    }()
}
