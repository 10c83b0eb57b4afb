// The recurrent layer on oneDNN's RNN primitive, one primitive per direction: the reference
// point the fast engine is measured and tested against. The backward direction gets its input
// reversed per row (core/time_reversal.hpp), since the primitive reads a contiguous sequence.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/direction_join.hpp"
#include "core/recurrent_layer.hpp"
#include "core/rnn_onednn.hpp"

namespace rnnsent {
namespace {

void grow(std::vector<float>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
}

// Every row of [n, H] starts from the same state.
void broadcast(const float* state, int n, int H, std::vector<float>& out) {
  grow(out, std::size_t(n) * std::size_t(H));
  for (int i = 0; i < n; ++i) std::copy(state, state + H, out.begin() + std::ptrdiff_t(i) * H);
}

class OneDnnRecurrentLayer final : public Layer {
 public:
  explicit OneDnnRecurrentLayer(const RecurrentLayerSpec& spec) : s_(spec) {
    for (int d = 0; d < s_.directions; ++d)
      rnn_.push_back(std::make_unique<OneDnnRnn>(s_.kind, s_.input_dim, s_.units));
    last_.resize(std::size_t(s_.directions));
    states_.resize(std::size_t(s_.directions));
  }

  Flow forward(Pass& p, const Flow& in) override {
    const int H = s_.units, D = s_.directions, T = p.T, n = p.n, I = s_.input_dim;
    const std::size_t nh = std::size_t(n) * std::size_t(H);
    const bool lstm = s_.cell->has_cell_state();
    // The primitive computes x W inside: there is no place for a mask on it.
    if (p.training && p.dropout.projection_rate > 0.0f)
      throw std::runtime_error(
          "projection_dropout needs the fast recurrent engine, not oneDNN's RNN primitive");
    const float* states[2] = {nullptr, nullptr};
    const float* last[2] = {nullptr, nullptr};
    for (int d = 0; d < D; ++d) {
      const RnnOffsets& r = s_.offsets[d];
      const float* src = in.seq;
      if (d == 1) {
        grow(reversed_, std::size_t(T) * std::size_t(n) * std::size_t(I));
        reverse_real_steps(in.seq, T, n, I, p.spans, reversed_.data());
        src = reversed_.data();
      }
      grow(last_[std::size_t(d)], nh);
      float* h_last = last_[std::size_t(d)].data();
      OneDnnRnn& rnn = *rnn_[std::size_t(d)];
      if (p.training) {
        rnn.forward_training(T, n, src, p.params + r.kernel, p.params + r.recurrent_kernel,
                             p.params + r.bias, h_last);
        states[d] = rnn.states();
      } else {
        const float* h0 = nullptr;
        const float* c0 = nullptr;
        if (p.h0) {
          const float* state = p.h0 + s_.state_offset + std::size_t(d) * H * (lstm ? 2 : 1);
          broadcast(state, n, H, h0_);
          h0 = h0_.data();
          if (lstm) {
            broadcast(state + H, n, H, c0_);
            c0 = c0_.data();
          }
        }
        float* all = nullptr;
        if (s_.emit_sequence) {
          grow(states_[std::size_t(d)], std::size_t(T) * nh);
          all = states_[std::size_t(d)].data();
        }
        rnn.forward_inference(T, n, src, p.params + r.kernel, p.params + r.recurrent_kernel,
                              p.params + r.bias, h_last, h0, c0, all);
        states[d] = all;
      }
      last[d] = h_last;
    }
    return join_.join(last, states, D, T, n, H, p.spans, s_.emit_sequence);
  }

  FlowGrad backward(Pass& p, const FlowGrad& dout) override {
    const int H = s_.units, D = s_.directions, T = p.T, n = p.n, I = s_.input_dim;
    const std::size_t tn = std::size_t(T) * std::size_t(n);
    grow(dx_, tn * std::size_t(I));
    for (int d = 0; d < D; ++d) {
      const RnnOffsets& r = s_.offsets[d];
      const float* dlast = join_.dlast(dout, d, D, n, H);
      const float* dstates = join_.dstates(dout, d, D, T, n, H, p.spans);
      float* g = p.grads;
      OneDnnRnn& rnn = *rnn_[std::size_t(d)];
      if (d == 0) {
        rnn.backward(dlast, dstates, dx_.data(), g + r.kernel, g + r.recurrent_kernel, g + r.bias);
      } else {
        grow(dreversed_, tn * std::size_t(I));
        rnn.backward(dlast, dstates, dreversed_.data(), g + r.kernel, g + r.recurrent_kernel,
                     g + r.bias);
        add_reversed_real_steps(dreversed_.data(), T, n, I, p.spans, dx_.data());
      }
    }
    FlowGrad din;
    din.seq = dx_.data();
    return din;
  }

  void release() override {
    for (auto& rnn : rnn_) rnn->release_inference();
  }

 private:
  RecurrentLayerSpec s_;
  std::vector<std::unique_ptr<OneDnnRnn>> rnn_;
  std::vector<std::vector<float>> last_, states_;  // per direction [n, H], [T, n, H]
  DirectionJoin join_;
  std::vector<float> reversed_, dreversed_, dx_, h0_, c0_;
};

}  // namespace

std::unique_ptr<Layer> make_onednn_recurrent_layer(const RecurrentLayerSpec& spec) {
  return std::make_unique<OneDnnRecurrentLayer>(spec);
}

}  // namespace rnnsent
