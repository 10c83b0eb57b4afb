// The fast recurrent layer: per direction an input projection (table or dense) and the engine;
// the directions joined in token order (core/direction_join.hpp).
#include "core/recurrent_layer.hpp"

#include <algorithm>
#include <vector>

#include "core/direction_join.hpp"
#include "core/input_projection.hpp"
#include "core/projection_dropout.hpp"
#include "core/recurrent_direction.hpp"

namespace rnnsent {
namespace {

void grow(std::vector<float>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
}

class RecurrentLayer final : public Layer {
 public:
  explicit RecurrentLayer(const RecurrentLayerSpec& spec)
      : s_(spec), GH_(spec.cell->gates() * spec.units) {
    for (int d = 0; d < s_.directions; ++d) dirs_.emplace_back(*s_.cell, s_.units);
    table_.resize(std::size_t(s_.directions));
    dense_.resize(std::size_t(s_.directions));
    dropout_.resize(std::size_t(s_.directions));
  }

  Flow forward(Pass& p, const Flow& in) override {
    const int H = s_.units, D = s_.directions, T = p.T, n = p.n;
    const bool has_c = s_.cell->has_cell_state();
    const bool keep = p.training || p.keep_states || s_.emit_sequence;
    tokens_ = in.tokens;
    input_ = in.seq;
    masked_ = p.training && p.dropout.projection_rate > 0.0f;
    // In training the rows still in padding share one computed trajectory (core/step_plan.hpp):
    // their input there is the same, since no dropout touches padding (core/dropout.hpp).
    packed_ = p.training && p.spans;
    if (packed_) {  // both directions cross the padding first (core/time_reversal.hpp)
      lead_.resize(std::size_t(n));
      for (int i = 0; i < n; ++i) lead_[std::size_t(i)] = p.spans[i].begin;
      plan_.build(T, n, lead_.data());
    }
    // The dense projection computes only the plan's rows, unless projection dropout reads all.
    const StepPlan* dense_plan = packed_ && !masked_ ? &plan_ : nullptr;
    const float* last[2] = {nullptr, nullptr};
    const float* states[2] = {nullptr, nullptr};
    for (int d = 0; d < D; ++d) {
      const RnnOffsets& r = s_.offsets[d];
      const float* b = p.params + r.bias;
      const TimeSpan* spans = d == 1 ? p.spans : nullptr;
      const float* const* rows;
      if (s_.table_input) {
        table_[std::size_t(d)].forward(*tokens_, p.params + r.kernel, b, GH_, spans);
        rows = table_[std::size_t(d)].rows();
      } else {
        dense_[std::size_t(d)].forward(in.seq, T, n, s_.input_dim, p.params + r.kernel, b, GH_,
                                       spans, dense_plan);
        rows = dense_[std::size_t(d)].rows();
      }
      if (masked_) {
        ProjectionDropout& pd = dropout_[std::size_t(d)];
        pd.forward(p.dropout, 2 * s_.layer + d, T, n, GH_, spans, p.ids, b, rows);
        rows = pd.rows();
      }
      const float* h0 = p.h0 ? p.h0 + s_.state_offset + std::size_t(d) * state_floats() : nullptr;
      const float* c0 = h0 && has_c ? h0 + H : nullptr;
      RecurrentDirection& dir = dirs_[std::size_t(d)];
      dir.forward(T, n, rows, p.params + r.recurrent_kernel,
                  s_.cell->recurrent_bias() ? b + GH_ : nullptr, h0, c0, keep,
                  packed_ ? &plan_ : nullptr, s_.emit_sequence || p.keep_states);
      last[d] = dir.last();
      states[d] = keep ? dir.states() : nullptr;
    }
    return join_.join(last, states, D, T, n, H, p.spans, s_.emit_sequence);
  }

  FlowGrad backward(Pass& p, const FlowGrad& dout) override {
    const int H = s_.units, D = s_.directions, T = p.T, n = p.n;
    if (!s_.table_input) grow(dx_, std::size_t(T) * std::size_t(n) * std::size_t(s_.input_dim));
    for (int d = 0; d < D; ++d) {
      const RnnOffsets& r = s_.offsets[d];
      float* g = p.grads;
      const float* dlast = join_.dlast(dout, d, D, n, H);
      const float* dstates = join_.dstates(dout, d, D, T, n, H, p.spans);
      // Where the engine can hand back its own d(pre): the cell's input and recurrent gradients
      // agree and the projection reads in the engine's step order.
      const bool own =
          s_.cell->input_grad_is_recurrent_grad() && (s_.table_input || d == 0) && !packed_;
      float* const* dx_rows = nullptr;
      if (!own)
        dx_rows = s_.table_input ? table_[std::size_t(d)].grad_rows()
                                 : dense_[std::size_t(d)].grad_rows();
      RecurrentDirection& dir = dirs_[std::size_t(d)];
      // The projections read only the rows the engine computed; the projection dropout reads
      // them all, so the engine zeroes the rest for it.
      dir.backward(dlast, dstates, dx_rows, g + r.recurrent_kernel,
                   s_.cell->recurrent_bias() ? g + r.bias + GH_ : nullptr, masked_);
      const float* W = p.params + r.kernel;
      const float* dxp = own ? dir.dpre()
                             : (s_.table_input ? table_[std::size_t(d)].grad_buffer()
                                               : dense_[std::size_t(d)].grad_buffer());
      float* db = g + r.bias;
      if (masked_) {  // d(x W) is d(pre) through the mask; the bias takes d(pre) itself
        grow(dxw_, std::size_t(T) * std::size_t(n) * std::size_t(GH_));
        dropout_[std::size_t(d)].backward(dxp, !s_.table_input, dxw_.data(), db);
        dxp = dxw_.data();
        db = nullptr;
      }
      if (s_.table_input)
        table_[std::size_t(d)].backward(*tokens_, dxp, W, g + r.kernel, db,
                                        packed_ ? &plan_ : nullptr);
      else
        dense_[std::size_t(d)].backward(dxp, W, g + r.kernel, db, dx_.data(), d > 0);
    }
    FlowGrad din;
    if (!s_.table_input) din.seq = dx_.data();
    return din;
  }

  void write_state(int k, float* state) const override {
    const int H = s_.units;
    for (int d = 0; d < s_.directions; ++d) {
      const RecurrentDirection& dir = dirs_[std::size_t(d)];
      float* to = state + s_.state_offset + std::size_t(d) * state_floats();
      const std::size_t row = std::size_t(k - 1) * std::size_t(H);  // padding states: one row
      std::copy(dir.states() + row, dir.states() + row + H, to);
      if (s_.cell->has_cell_state())
        std::copy(dir.cell_states() + row, dir.cell_states() + row + H, to + H);
    }
  }

 private:
  std::size_t state_floats() const {
    return std::size_t(s_.units) * (s_.cell->has_cell_state() ? 2 : 1);
  }

  RecurrentLayerSpec s_;
  int GH_;
  std::vector<RecurrentDirection> dirs_;
  std::vector<TableProjection> table_;
  std::vector<DenseProjection> dense_;
  std::vector<ProjectionDropout> dropout_;
  bool masked_ = false;  // this pass applies projection dropout
  bool packed_ = false;  // this pass computes the padding steps once (lead_ per row)
  std::vector<int> lead_;
  StepPlan plan_;  // this pass's, shared by both directions' projections and engines
  TokenSet* tokens_ = nullptr;
  const float* input_ = nullptr;
  DirectionJoin join_;
  std::vector<float> dx_, dxw_;
};

}  // namespace

std::unique_ptr<Layer> make_recurrent_layer(const RecurrentLayerSpec& spec) {
  return std::make_unique<RecurrentLayer>(spec);
}

}  // namespace rnnsent
