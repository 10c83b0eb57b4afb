// Between the directions of a bidirectional layer and the token-ordered [T, n, D*H] that the
// layer above, the readout and the loss see: the backward direction's state of step t belongs
// to token reversed_step(span, t) (core/time_reversal.hpp), so joining realigns it and the
// gradient is split back the same way. With one direction these are plain copies.
#pragma once

#include <vector>

#include "core/layer.hpp"
#include "core/time_reversal.hpp"

namespace rnnsent {

// seq [T, n, D*H]: seq[s, i, d*H + j] = states[d][t, i, j] where s is the token of step t.
void join_directions(const float* const* states, int D, int T, int n, int H, const TimeSpan* spans,
                     float* seq);

// out [T, n, H] = direction d's share of dseq [T, n, D*H], in that direction's step order.
void split_direction(const float* dseq, int d, int D, int T, int n, int H, const TimeSpan* spans,
                     float* out);

// vec [n, D*H] from each direction's [n, H], and back.
void join_last(const float* const* last, int D, int n, int H, float* vec);
void split_last(const float* dvec, int d, int D, int n, int H, float* out);

// Both ends of a recurrent layer with the buffers they need: the Flow its directions hand up,
// and each direction's share of the gradient that comes back. One implementation for every
// recurrent layer (the engine's and oneDNN's), so both join and split the same way.
class DirectionJoin {
 public:
  // last[d]: direction d's final states [n, H]; states[d]: all of them [T, n, H] in its step
  // order, read only with emit_sequence. The Flow points into this object's buffers (or, with
  // one direction, at states[0]).
  Flow join(const float* const* last, const float* const* states, int D, int T, int n, int H,
            const TimeSpan* spans, bool emit_sequence);
  // Direction d's share of dout.vec as [n, H], and of dout.seq as [T, n, H] in its step order;
  // null where dout has no such gradient.
  const float* dlast(const FlowGrad& dout, int d, int D, int n, int H);
  const float* dstates(const FlowGrad& dout, int d, int D, int T, int n, int H,
                       const TimeSpan* spans);

 private:
  std::vector<float> vec_, seq_, dlast_, dstates_;
};

}  // namespace rnnsent
