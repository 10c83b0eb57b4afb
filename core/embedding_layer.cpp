// DenseEmbedding and TokenEmbedding: see the header.
#include "core/embedding_layer.hpp"

#include "core/embedding.hpp"  // embedding_gather
#include "core/embedding_dropout.hpp"
#include "core/phrase_rows.hpp"

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
  DenseEmbedding(const ModelShape& shape, std::size_t offset)
      : V_(shape.num_words),
        E_(shape.embedding_dim),
        B_(shape.bigram_buckets),
        offset_(offset),
        phrases_(shape) {}

  Flow forward(Pass& p, const Flow&) override {
    const std::size_t tne = std::size_t(p.T) * std::size_t(p.n) * std::size_t(E_);
    if (x_.size() < tne) x_.resize(tne);
    embedding_gather(p.params + offset_, E_, p.ids, p.n, p.T, x_.data());
    if (B_ > 0) add_phrase_rows(p);
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
    const std::size_t rows = std::size_t(p.T) * std::size_t(p.n);
    if (B_ > 0) add_phrase_slots(rows);
    tokens_.demb.assign(tokens_.touched.size() * std::size_t(E_), 0.0f);
    for (std::size_t r = 0; r < rows; ++r) {
      const float* from = dx + r * std::size_t(E_);
      const float* m = masked_ ? mask_.data() + r * std::size_t(E_) : nullptr;
      add_row(from, m, tokens_.demb.data() + std::size_t(tokens_.slot[r]) * std::size_t(E_));
      for (int k = 0; B_ > 0 && k < PhraseRows::kPerStep; ++k) {
        const int s = phrase_slot_[r * PhraseRows::kPerStep + std::size_t(k)];
        if (s >= 0) add_row(from, m, tokens_.demb.data() + std::size_t(s) * std::size_t(E_));
      }
    }
    return {};
  }

  void reduce(const Pass&, float* grads) const override { add_token_rows(tokens_, offset_, grads); }

  Phase phase() const override { return Phase::gather; }

 private:
  void add_row(const float* from, const float* mask, float* to) const {
    if (mask) {
      for (int e = 0; e < E_; ++e) to[e] += from[e] * mask[e];
    } else {
      for (int e = 0; e < E_; ++e) to[e] += from[e];
    }
  }

  // x[t, n] += table[row] for each extra row of the step (core/phrase_rows.hpp); the rows are
  // kept for backward.
  void add_phrase_rows(const Pass& p) {
    const std::size_t E = std::size_t(E_), K = PhraseRows::kPerStep;
    phrase_of_.assign(std::size_t(p.T) * std::size_t(p.n) * K, -1);
    const float* table = p.params + offset_;
    for (int i = 0; i < p.n; ++i) {
      const std::int32_t* review = p.ids + std::size_t(i) * std::size_t(p.T);
      phrases_.for_each(review, p.T, [&](int t, std::int32_t row) {
        const std::size_t r = std::size_t(t) * std::size_t(p.n) + std::size_t(i);
        std::int32_t* at = phrase_of_.data() + r * K;
        *(at[0] < 0 ? at : at + 1) = row;
        const float* from = table + std::size_t(row) * E;
        float* to = x_.data() + r * E;
        for (std::size_t e = 0; e < E; ++e) to[e] += from[e];
      });
    }
  }

  // Appends the chunk's distinct extra rows to tokens_.touched (in time-major order of first
  // appearance, after the words: a fixed order for fixed ids) and gives each its slot.
  void add_phrase_slots(std::size_t rows) {
    if (slot_of_.size() != std::size_t(B_)) slot_of_.assign(std::size_t(B_), -1);
    phrase_slot_.assign(rows * PhraseRows::kPerStep, -1);
    const std::size_t first = tokens_.touched.size();
    for (std::size_t k = 0; k < phrase_slot_.size(); ++k) {
      const std::int32_t b = phrase_of_[k];
      if (b < 0) continue;
      int& s = slot_of_[std::size_t(b - V_)];
      if (s < 0) {
        s = int(tokens_.touched.size());
        tokens_.touched.push_back(b);
      }
      phrase_slot_[k] = s;
    }
    for (std::size_t k = first; k < tokens_.touched.size(); ++k)
      slot_of_[std::size_t(tokens_.touched[k] - V_)] = -1;  // ready for the next call
  }

  int V_, E_, B_;
  std::size_t offset_;
  PhraseRows phrases_;
  bool masked_ = false;
  std::vector<float> x_, mask_;          // [T, n, E]
  TokenSet tokens_;                      // the chunk's distinct rows and their gradient rows
  std::vector<std::int32_t> phrase_of_;  // [T, n, kPerStep] each step's extra rows, -1 = none
  std::vector<int> phrase_slot_;         // [T, n, kPerStep] their slots in tokens_, -1 = none
  std::vector<int> slot_of_;             // [B] scratch: bucket -> its slot, -1 when absent
};

class TokenEmbedding final : public Layer {
 public:
  TokenEmbedding(int V, int E, std::size_t offset) : V_(V), E_(E), offset_(offset) {}

  Flow forward(Pass& p, const Flow&) override {
    tokens_.build(p.ids, p.n, p.T, V_, p.params + offset_, E_, p.training ? p.dropout : Dropout{},
                  p.dropout.first_row);
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

std::unique_ptr<Layer> make_dense_embedding(const ModelShape& shape, std::size_t offset) {
  return std::make_unique<DenseEmbedding>(shape, offset);
}

std::unique_ptr<Layer> make_token_embedding(int V, int E, std::size_t offset) {
  return std::make_unique<TokenEmbedding>(V, E, offset);
}

}  // namespace rnnsent
