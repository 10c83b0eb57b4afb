// The backward direction of a bidirectional layer reads each review's real tokens last to
// first while its padding stays where it is: with 'pre' padding it first crosses the padding
// (from the zero state, like the forward direction) and ends on the review's first token.
// Keras gets the same from Bidirectional over a masked sequence (mask_zero=True); reversing
// the whole padded row instead would end the backward pass on up to maxlen padding steps,
// which wash out what it read. It also keeps padding states review-independent in both
// directions, so scoring can skip them (launch/lib/scoring.hpp).
#pragma once

#include <cstdint>

namespace rnnsent {

// [begin, end) of a row's real tokens: from its first to its last non-padding (non-zero) id.
struct TimeSpan {
  int begin = 0, end = 0;
};
TimeSpan real_span(const std::int32_t* row, int T);

// The step that step t of a row with real span s reads from: reversed inside s, else t.
// An involution: applying it twice gives t back.
inline int reversed_step(const TimeSpan& s, int t) {
  return t >= s.begin && t < s.end ? s.begin + s.end - 1 - t : t;
}

// out[t, n, :] = in[reversed_step(spans[n], t), n, :] for time-major [T, N, C] buffers.
// Its own inverse, so it also maps the backward direction's outputs and gradients back.
void reverse_real_steps(const float* in, int T, int N, int C, const TimeSpan* spans, float* out);

// As above, adding into out instead of overwriting it.
void add_reversed_real_steps(const float* in, int T, int N, int C, const TimeSpan* spans,
                             float* out);

}  // namespace rnnsent
