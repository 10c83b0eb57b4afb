// Between the directions of a bidirectional layer and the token-ordered [T, n, D*H] that the
// layer above, the readout and the loss see: the backward direction's state of step t belongs
// to token reversed_step(span, t) (core/time_reversal.hpp), so joining realigns it and the
// gradient is split back the same way. With one direction these are plain copies.
#pragma once

#include "core/time_reversal.hpp"

namespace rnnsent {

// seq [T, n, D*H]: seq[s, i, d*H + j] = states[d][t, i, j] where s is the token of step t.
void join_directions(const float* const* states, int D, int T, int n, int H,
                     const TimeSpan* spans, float* seq);

// out [T, n, H] = direction d's share of dseq [T, n, D*H], in that direction's step order.
void split_direction(const float* dseq, int d, int D, int T, int n, int H, const TimeSpan* spans,
                     float* out);

// vec [n, D*H] from each direction's [n, H], and back.
void join_last(const float* const* last, int D, int n, int H, float* vec);
void split_last(const float* dvec, int d, int D, int n, int H, float* out);

}  // namespace rnnsent
