// DenseLoss: see the header. Without labels (inference) only the logits are computed.
#include "core/dense_loss_layer.hpp"

#include <vector>

#include "core/reference.hpp"

namespace rnnsent {
namespace {

class DenseLoss final : public Layer {
 public:
  DenseLoss(int width, std::size_t kernel, std::size_t bias)
      : W_(width), kernel_(kernel), bias_(bias) {}

  Flow forward(Pass& p, const Flow& in) override {
    const float* w = p.params + kernel_;
    if (p.labels) {
      if (dvec_.size() < std::size_t(p.n) * std::size_t(W_))
        dvec_.resize(std::size_t(p.n) * std::size_t(W_));
      p.loss = reference::dense_bce_forward_backward<float>(
          in.vec, w, p.params + bias_, p.labels, p.n, W_, p.grad_scale, p.logits, dvec_.data(),
          p.grads + kernel_, p.grads + bias_);
      return {};
    }
    for (int i = 0; i < p.n; ++i) {
      float z = p.params[bias_];
      const float* x = in.vec + std::size_t(i) * std::size_t(W_);
      for (int j = 0; j < W_; ++j) z += x[j] * w[j];
      p.logits[i] = z;
    }
    return {};
  }

  FlowGrad backward(Pass&, const FlowGrad&) override {
    FlowGrad din;
    din.vec = dvec_.data();
    return din;
  }

  Phase phase() const override { return Phase::dense_loss; }

 private:
  int W_;
  std::size_t kernel_, bias_;
  std::vector<float> dvec_;  // [n, W] d(loss)/d(readout), scaled
};

}  // namespace

std::unique_ptr<Layer> make_dense_loss(int width, std::size_t kernel, std::size_t bias) {
  return std::make_unique<DenseLoss>(width, kernel, bias);
}

}  // namespace rnnsent
