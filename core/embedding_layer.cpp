// DenseEmbedding and TokenEmbedding: see the header.
#include "core/embedding_layer.hpp"

#include "core/embedding.hpp"

namespace rnnsent {
namespace {

class DenseEmbedding final : public Layer {
 public:
  DenseEmbedding(int V, int E, std::size_t offset) : V_(V), E_(E), offset_(offset) {}

  Flow forward(Pass& p, const Flow&) override {
    const std::size_t tne = std::size_t(p.T) * std::size_t(p.n) * std::size_t(E_);
    if (x_.size() < tne) x_.resize(tne);
    embedding_gather(p.params + offset_, E_, p.ids, p.n, p.T, x_.data());
    masked_ = p.training && p.dropout.active();
    if (masked_) {
      if (mask_.size() < tne) mask_.resize(tne);
      for (int t = 0; t < p.T; ++t)
        for (int i = 0; i < p.n; ++i)
          for (int e = 0; e < E_; ++e) {
            const std::size_t k =
                (std::size_t(t) * std::size_t(p.n) + std::size_t(i)) * std::size_t(E_) +
                std::size_t(e);
            mask_[k] = dropout_multiplier(p.dropout, p.dropout.first_row + std::size_t(i), t, e);
            x_[k] *= mask_[k];
          }
    }
    Flow out;
    out.seq = x_.data();
    out.width = E_;
    return out;
  }

  FlowGrad backward(Pass& p, const FlowGrad& dout) override {
    dx_ = dout.seq;  // the recurrent layer's buffer, alive until the next forward
    if (masked_ && dx_) {
      const std::size_t tne = std::size_t(p.T) * std::size_t(p.n) * std::size_t(E_);
      for (std::size_t k = 0; k < tne; ++k) dx_[k] *= mask_[k];
    }
    return {};
  }

  void reduce(const Pass& p, float* grads) const override {
    if (dx_) embedding_scatter_add(dx_, p.ids, p.n, p.T, E_, V_, grads + offset_);
  }

  Phase phase() const override { return Phase::gather; }

 private:
  int V_, E_;
  std::size_t offset_;
  bool masked_ = false;
  std::vector<float> x_, mask_;  // [T, n, E]
  float* dx_ = nullptr;
};

class TokenEmbedding final : public Layer {
 public:
  TokenEmbedding(int V, int E, std::size_t offset) : V_(V), E_(E), offset_(offset) {}

  Flow forward(Pass& p, const Flow&) override {
    tokens_.build(p.ids, p.n, p.T, V_, p.params + offset_, E_,
                  p.training ? p.dropout : Dropout{}, p.dropout.first_row);
    tokens_.demb.assign(tokens_.touched.size() * std::size_t(E_), 0.0f);
    Flow out;
    out.tokens = &tokens_;
    out.width = E_;
    return out;
  }

  FlowGrad backward(Pass&, const FlowGrad&) override { return {}; }

  void reduce(const Pass&, float* grads) const override {
    for (std::size_t k = 0; k < tokens_.touched.size(); ++k) {
      float* to = grads + offset_ + std::size_t(tokens_.touched[k]) * std::size_t(E_);
      const float* from = tokens_.demb.data() + k * std::size_t(E_);
      for (int e = 0; e < E_; ++e) to[e] += from[e];
    }
  }

  Phase phase() const override { return Phase::gather; }

 private:
  int V_, E_;
  std::size_t offset_;
  TokenSet tokens_;
};

}  // namespace

std::unique_ptr<Layer> make_dense_embedding(int V, int E, std::size_t offset) {
  return std::make_unique<DenseEmbedding>(V, E, offset);
}

std::unique_ptr<Layer> make_token_embedding(int V, int E, std::size_t offset) {
  return std::make_unique<TokenEmbedding>(V, E, offset);
}

}  // namespace rnnsent
