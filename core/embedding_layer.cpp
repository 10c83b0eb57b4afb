// DenseEmbedding and TokenEmbedding: see the header.
#include "core/embedding_layer.hpp"

#include "core/embedding.hpp"  // embedding_gather
#include "core/embedding_dropout.hpp"

namespace rnnsent {
namespace {

// Adds each distinct token's gradient row [E] into the embedding slot at offset.
// The chunk's tokens are distinct, so its rows can be added in parallel; chunks still come one
// after another (SentimentModel), which fixes every row's order of additions.
void add_token_rows(const TokenSet& tokens, std::size_t offset, float* grads) {
  const std::size_t E = std::size_t(tokens.E);
  const long long K = static_cast<long long>(tokens.touched.size());
#pragma omp parallel for schedule(static)
  for (long long kk = 0; kk < K; ++kk) {
    const std::size_t k = std::size_t(kk);
    float* to = grads + offset + std::size_t(tokens.touched[k]) * E;
    const float* from = tokens.demb.data() + k * E;
    if (tokens.weight_mask.empty()) {
      for (std::size_t e = 0; e < E; ++e) to[e] += from[e];
    } else {  // the row was read through its embedding weight dropout mask
      const float* m = tokens.weight_mask.data() + k * E;
      for (std::size_t e = 0; e < E; ++e) to[e] += from[e] * m[e];
    }
  }
}

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
      apply_embedding_dropout({&p.dropout, p.ids, p.n, p.T, E_, x_.data(), mask_.data()});
    }
    Flow out;
    out.seq = x_.data();
    out.width = E_;
    return out;
  }

  // The gradient rows are summed per distinct token here, on the chunk's thread, so that the
  // serial reduce adds one row per token and chunk: the sum over chunks then has the same order
  // whether the chunks are threads of one process or ranks (P ranks equal one process bit for
  // bit where the chunks match).
  FlowGrad backward(Pass& p, const FlowGrad& dout) override {
    const float* dx = dout.seq;  // [T, n, E]
    tokens_.build(p.ids, p.n, p.T, V_, nullptr, E_, Dropout{}, 0);
    tokens_.demb.assign(tokens_.touched.size() * std::size_t(E_), 0.0f);
    for (std::size_t r = 0, rows = std::size_t(p.T) * std::size_t(p.n); r < rows; ++r) {
      float* to = tokens_.demb.data() + std::size_t(tokens_.slot[r]) * std::size_t(E_);
      const float* from = dx + r * std::size_t(E_);
      if (masked_) {
        const float* m = mask_.data() + r * std::size_t(E_);
        for (int e = 0; e < E_; ++e) to[e] += from[e] * m[e];
      } else {
        for (int e = 0; e < E_; ++e) to[e] += from[e];
      }
    }
    return {};
  }

  void reduce(const Pass&, float* grads) const override { add_token_rows(tokens_, offset_, grads); }

  Phase phase() const override { return Phase::gather; }

 private:
  int V_, E_;
  std::size_t offset_;
  bool masked_ = false;
  std::vector<float> x_, mask_;  // [T, n, E]
  TokenSet tokens_;              // the chunk's distinct tokens and their gradient rows
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

  void reduce(const Pass&, float* grads) const override { add_token_rows(tokens_, offset_, grads); }

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
