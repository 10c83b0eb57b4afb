#include "core/cpu_isa.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace rnnsent {
namespace {

TEST(CpuIsa, ParsesTheCapInAnyCase) {
  EXPECT_EQ(parse_cpu_isa_cap(""), CpuIsa::avx512);  // unset: no cap
  EXPECT_EQ(parse_cpu_isa_cap("AVX512"), CpuIsa::avx512);
  EXPECT_EQ(parse_cpu_isa_cap("avx2"), CpuIsa::avx2_fma);
  EXPECT_EQ(parse_cpu_isa_cap("Baseline"), CpuIsa::baseline);
}

TEST(CpuIsa, RefusesAnUnknownCapNamingIt) {
  try {
    parse_cpu_isa_cap("sse9");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("RNNSENT_MAX_CPU_ISA=sse9"), std::string::npos)
        << e.what();
  }
}

TEST(CpuIsa, TheCapNeverRaisesWhatTheCpuHas) {
  EXPECT_EQ(capped_cpu_isa(CpuIsa::avx512, CpuIsa::avx2_fma), CpuIsa::avx2_fma);
  EXPECT_EQ(capped_cpu_isa(CpuIsa::avx2_fma, CpuIsa::avx512), CpuIsa::avx2_fma);
  EXPECT_EQ(capped_cpu_isa(CpuIsa::baseline, CpuIsa::avx2_fma), CpuIsa::baseline);
  EXPECT_LE(usable_cpu_isa(), hardware_cpu_isa());
}

// Run by ctest with RNNSENT_MAX_CPU_ISA set (CoreKernelsCappedTo_*) as well as without it.
TEST(CpuIsa, FollowsTheEnvironmentCap) {
  const char* cap = std::getenv("RNNSENT_MAX_CPU_ISA");
  EXPECT_EQ(usable_cpu_isa(),
            capped_cpu_isa(hardware_cpu_isa(), parse_cpu_isa_cap(cap ? cap : "")));
}

}  // namespace
}  // namespace rnnsent
