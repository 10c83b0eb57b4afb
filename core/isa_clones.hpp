// Compiles one element-wise kernel three times, for AVX-512, for AVX2 with FMA, and for the
// build's baseline (x86-64-v2), and calls the best one the CPU has. GCC's target_clones cannot
// ask for AVX2 and FMA together except by CPU model name, which no AMD CPU matches, so the
// choice is made here from the features. The body is an always-inline function, compiled
// inside each wrapper for that wrapper's instruction set; the choice (core/cpu_isa.hpp: the CPU,
// capped by RNNSENT_MAX_CPU_ISA) is made once.
// Results differ between the variants only in rounding (FMA), never within one machine.
#pragma once

#include "core/cpu_isa.hpp"

#define RNNSENT_ISA_CLONES(name, body, Arg)                                                  \
  __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma"))) void name##_avx512( \
      const Arg& a) {                                                                        \
    body(a);                                                                                 \
  }                                                                                          \
  __attribute__((target("avx2,fma"))) void name##_avx2(const Arg& a) { body(a); }            \
  void name##_baseline(const Arg& a) { body(a); }                                            \
  void name(const Arg& a) {                                                                  \
    static void (*const chosen)(const Arg&) =                                                \
        ::rnnsent::usable_cpu_isa() == ::rnnsent::CpuIsa::avx512     ? name##_avx512         \
        : ::rnnsent::usable_cpu_isa() == ::rnnsent::CpuIsa::avx2_fma ? name##_avx2           \
                                                                     : name##_baseline;      \
    chosen(a);                                                                               \
  }
