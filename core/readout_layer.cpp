// LastReadout and PoolingReadout: see the header.
#include "core/readout_layer.hpp"

#include <algorithm>
#include <vector>

namespace rnnsent {
namespace {

class LastReadout final : public Layer {
 public:
  Flow forward(Pass&, const Flow& in) override {
    Flow out;
    out.vec = in.vec;
    out.width = in.width;
    return out;
  }
  FlowGrad backward(Pass&, const FlowGrad& dout) override {
    FlowGrad din;
    din.vec = dout.vec;
    return din;
  }
};

class PoolingReadout final : public Layer {
 public:
  PoolingReadout(bool max, int width) : max_(max), W_(width) {}

  Flow forward(Pass& p, const Flow& in) override {
    const int W = W_, T = p.T, n = p.n;
    if (vec_.size() < std::size_t(n) * std::size_t(W)) vec_.resize(std::size_t(n) * std::size_t(W));
    if (max_) argmax_.assign(std::size_t(n) * std::size_t(W), -1);
    for (int i = 0; i < n; ++i) {
      const TimeSpan& sp = p.spans[i];
      float* out = vec_.data() + std::size_t(i) * std::size_t(W);
      std::fill(out, out + W, 0.0f);
      int* where = max_ ? argmax_.data() + std::size_t(i) * std::size_t(W) : nullptr;
      for (int t = sp.begin; t < sp.end; ++t) {
        const float* h = in.seq + (std::size_t(t) * std::size_t(n) + std::size_t(i)) * std::size_t(W);
        if (max_) {
          for (int j = 0; j < W; ++j)
            if (where[j] < 0 || h[j] > out[j]) {
              out[j] = h[j];
              where[j] = t;
            }
        } else {
          for (int j = 0; j < W; ++j) out[j] += h[j];
        }
      }
      if (!max_ && sp.end > sp.begin) {
        const float inv = 1.0f / float(sp.end - sp.begin);
        for (int j = 0; j < W; ++j) out[j] *= inv;
      }
    }
    (void)T;
    Flow out;
    out.vec = vec_.data();
    out.width = W;
    return out;
  }

  FlowGrad backward(Pass& p, const FlowGrad& dout) override {
    const int W = W_, n = p.n;
    const std::size_t size = std::size_t(p.T) * std::size_t(n) * std::size_t(W);
    if (dseq_.size() < size) dseq_.resize(size);
    std::fill(dseq_.begin(), dseq_.begin() + std::ptrdiff_t(size), 0.0f);
    auto at = [&](int t, int i) {
      return dseq_.data() + (std::size_t(t) * std::size_t(n) + std::size_t(i)) * std::size_t(W);
    };
    for (int i = 0; i < n; ++i) {
      const TimeSpan& sp = p.spans[i];
      if (sp.end <= sp.begin) continue;
      const float* g = dout.vec + std::size_t(i) * std::size_t(W);
      if (max_) {
        const int* where = argmax_.data() + std::size_t(i) * std::size_t(W);
        for (int j = 0; j < W; ++j) at(where[j], i)[j] = g[j];
      } else {
        const float inv = 1.0f / float(sp.end - sp.begin);
        for (int t = sp.begin; t < sp.end; ++t)
          for (int j = 0; j < W; ++j) at(t, i)[j] = g[j] * inv;
      }
    }
    FlowGrad din;
    din.seq = dseq_.data();
    return din;
  }

 private:
  bool max_;
  int W_;
  std::vector<float> vec_, dseq_;
  std::vector<int> argmax_;  // [n, W] each feature's step
};

}  // namespace

std::unique_ptr<Layer> make_readout(Pooling pooling, int width) {
  if (pooling == Pooling::last) return std::make_unique<LastReadout>();
  return std::make_unique<PoolingReadout>(pooling == Pooling::max, width);
}

}  // namespace rnnsent
