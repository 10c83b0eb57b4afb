// Adam as tf.keras implements it (optimizer_v2 Adam and the fused ApplyAdam kernel it calls):
//   m <- m + (1 - beta_1) (g - m)           (= beta_1 m + (1 - beta_1) g)
//   v <- v + (1 - beta_2) (g^2 - v)         (= beta_2 v + (1 - beta_2) g^2)
//   w <- w - lr_t m / (sqrt(v) + epsilon),  lr_t = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)
// with t the 1-based update number. The bias corrections are folded into lr_t and epsilon is
// added unscaled: Keras documents its epsilon as the paper's "epsilon hat" (the formula before
// section 2.1 of Kingma and Ba), not Algorithm 1's epsilon, and passes it to the kernel as is.
// The alternative, Algorithm 1 with m_hat / (sqrt(v_hat) + eps), equals this form only with
// epsilon scaled by sqrt(1 - beta_2^t); we follow Keras so a Keras user's epsilon means the
// same here (the two differ only while sqrt(v) is near epsilon).
// Adam has no exact lazy form for untouched embedding rows (their momentum keeps moving them),
// so the update is dense over the whole buffer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rnnsent {

struct AdamSettings {
  float learning_rate = 1e-3f;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-7f;
};

// lr_t of update t (t >= 1), computed in double and rounded once.
float adam_step_size(const AdamSettings& settings, std::int64_t t);

// Update t (1-based) of n parameters; m and v start at 0. OpenMP over fixed blocks: every
// element's update is independent, so the result does not depend on the thread count.
void adam_step(const AdamSettings& settings, std::int64_t t, std::size_t n, const float* grads,
               float* m, float* v, float* params);

}  // namespace rnnsent
