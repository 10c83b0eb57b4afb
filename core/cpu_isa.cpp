#include "core/cpu_isa.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace rnnsent {

CpuIsa parse_cpu_isa_cap(const std::string& value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (lower.empty() || lower == "avx512") return CpuIsa::avx512;
  if (lower == "avx2") return CpuIsa::avx2_fma;
  if (lower == "baseline") return CpuIsa::baseline;
  throw std::invalid_argument("RNNSENT_MAX_CPU_ISA=" + value +
                              ": expected avx512, avx2 or baseline");
}

CpuIsa capped_cpu_isa(CpuIsa hardware, CpuIsa cap) { return std::min(hardware, cap); }

CpuIsa hardware_cpu_isa() {
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
    return CpuIsa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CpuIsa::avx2_fma;
  return CpuIsa::baseline;
}

CpuIsa usable_cpu_isa() {
  // Not cached when the cap is bad, so that every caller sees the same error.
  static const CpuIsa chosen = [] {
    const char* cap = std::getenv("RNNSENT_MAX_CPU_ISA");
    return capped_cpu_isa(hardware_cpu_isa(), parse_cpu_isa_cap(cap ? cap : ""));
  }();
  return chosen;
}

const char* cpu_isa_name(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::avx512:
      return "AVX-512";
    case CpuIsa::avx2_fma:
      return "AVX2 + FMA";
    case CpuIsa::baseline:
      return "x86-64-v2";
  }
  return "unknown";
}

}  // namespace rnnsent
