// Gradient clipping by global norm (Pascanu, Mikolov and Bengio 2013): when the norm of the
// whole gradient exceeds clipnorm, every entry is scaled by clipnorm / norm, which keeps the
// direction and bounds the step an exploding recurrent gradient can take. The norm is summed in
// double: squares of floats are exact there and the sum over millions of entries keeps its
// digits, and a fixed summation order makes every rank compute the same bits.
#pragma once

#include <cstddef>

namespace rnnsent {

// sum_i values[i]^2 in double, in a fixed order (eight interleaved sums, then pairwise). NaN
// or inf anywhere make it non-finite (no float's square overflows a double), so it doubles as
// the finiteness check.
double sum_of_squares(const float* values, std::size_t n);

// Whether no entry is inf or NaN: a test of the exponent bits, which vectorises (std::isfinite
// in a loop did not, and checking a step's updated rows cost as much as the update).
bool all_finite(const float* values, std::size_t n);

// The factor the gradient is multiplied by: clipnorm / norm when clipnorm > 0 and
// norm > clipnorm, else exactly 1.
double clip_scale(double norm, double clipnorm);

// values[i] *= scale.
void scale_values(float* values, std::size_t n, float scale);

}  // namespace rnnsent
