// The fast embedding: gathers rows of the table into the RNN's time-major input and
// scatter-adds the RNN's input gradient back into the table gradient.
// ids are batch-major [N, T] (as padded sequences are stored); x is time-major [T, N, E].
#pragma once

#include <cstdint>

namespace rnnsent {

// x[t, n, :] = table[ids[n, t], :]
void embedding_gather(const float* table, int embedding_dim, const std::int32_t* ids, int batch,
                      int steps, float* x);

// dtable[ids[n, t], :] += dx[t, n, :]. Deterministic for any thread count.
void embedding_scatter_add(const float* dx, const std::int32_t* ids, int batch, int steps,
                           int embedding_dim, int num_words, float* dtable);

}  // namespace rnnsent
