// Inference over many padded reviews at the cost of their real lengths. With 'pre' padding a
// review of L < maxlen ids starts with maxlen - L padding steps that every review shares, from
// the same zero state: their hidden states are computed once per call (padding_states), rows
// are scored in batches of similar length, and each batch of longest length Lb runs only its
// last Lb steps, starting from the state after maxlen - Lb padding steps. Exact up to float
// rounding (tests/launch). 'post' padding ends with the padding, so it runs all maxlen steps.
#pragma once

#include <cstddef>
#include <vector>

#include "core/sentiment_model.hpp"
#include "launch/lib/padded_set.hpp"

namespace rnnsent {

// logits[i] for rows [0, rows) of set, in row order. padding, when non-null, is
// model.padding_states(params, set.maxlen, ...) computed earlier for these very parameters
// (a caller scoring many sets with fixed weights computes it once); else it is computed here.
void score_rows(SentimentModel& model, const float* params, const PaddedSet& set, std::size_t rows,
                int batch_size, float* logits, const std::vector<float>* padding = nullptr);

}  // namespace rnnsent
