#include "hunch_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// XCR0 says which register states the OS saves; without it AVX registers
// are unusable even when CPUID lists the instructions.
static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

hunch_isa hunch_detect_isa(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return HUNCH_ISA_PORTABLE;
    int osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1, fma = (ecx >> 12) & 1, f16c = (ecx >> 29) & 1;
    if (!osxsave || !avx || !fma || !f16c) return HUNCH_ISA_PORTABLE;
    unsigned long long xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) return HUNCH_ISA_PORTABLE;

    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return HUNCH_ISA_PORTABLE;
    int avx2 = (ebx >> 5) & 1;
    if (!avx2) return HUNCH_ISA_PORTABLE;
    int avx512f = (ebx >> 16) & 1, avx512bw = (ebx >> 30) & 1, avx512vl = (ebx >> 31) & 1;
    int avx512vnni = (ecx >> 11) & 1;
    int zmm_state = (xcr0 & 0xE0) == 0xE0;
    if (avx512f && avx512bw && avx512vl && avx512vnni && zmm_state) return HUNCH_ISA_AVX512_VNNI;
    return HUNCH_ISA_AVX2;
}
#else
hunch_isa hunch_detect_isa(void) { return HUNCH_ISA_PORTABLE; }
#endif

const char *hunch_isa_name(hunch_isa isa) {
    switch (isa) {
    case HUNCH_ISA_AVX512_VNNI: return "avx512-vnni";
    case HUNCH_ISA_AVX2: return "avx2";
    default: return "portable";
    }
}
