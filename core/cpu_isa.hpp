// Which of the element-wise kernels' instruction sets (core/isa_clones.hpp) this process runs:
// the best the CPU has, unless RNNSENT_MAX_CPU_ISA caps it. The cap exists for the same reason
// as oneDNN's DNNL_MAX_CPU_ISA: to run and test the AVX2 code on an AVX-512 machine (the
// project's machines are one or the other, and the fast paths must be fast and right on both).
#pragma once

#include <string>

namespace rnnsent {

enum class CpuIsa { baseline = 0, avx2_fma = 1, avx512 = 2 };

// "avx512", "avx2" or "baseline" (any case); empty = no cap. Anything else throws
// std::invalid_argument naming RNNSENT_MAX_CPU_ISA and the value.
CpuIsa parse_cpu_isa_cap(const std::string& value);

// The lower of what this CPU has and the cap.
CpuIsa capped_cpu_isa(CpuIsa hardware, CpuIsa cap);

// What the CPU has (AVX-512 here means F + VL; AVX2 means AVX2 + FMA).
CpuIsa hardware_cpu_isa();

// The instruction set the kernels use, decided once per process from the CPU and
// RNNSENT_MAX_CPU_ISA. Executables call it before their first step so that a bad cap is a
// one-line error rather than an exception inside a kernel.
CpuIsa usable_cpu_isa();

const char* cpu_isa_name(CpuIsa isa);

}  // namespace rnnsent
