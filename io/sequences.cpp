// pad_sequence (sequences.hpp): one row of Keras's pad_sequences with truncating == padding,
// which is how the seed model calls it (both 'pre' by default).
#include "io/sequences.hpp"

#include <algorithm>
#include <stdexcept>

#include "io/vocabulary.hpp"

namespace rnnsent {

Padding parse_padding(const std::string& value) {
  if (value == "pre") return Padding::pre;
  if (value == "post") return Padding::post;
  throw std::runtime_error("padding: '" + value + "' is not one of 'pre', 'post'");
}

std::string padding_name(Padding padding) { return padding == Padding::pre ? "pre" : "post"; }

void pad_sequence(const std::int32_t* ids, std::size_t length, int maxlen, Padding padding,
                  std::int32_t num_words, std::int32_t* out) {
  if (maxlen <= 0) return;
  const std::size_t width = std::size_t(maxlen);
  const std::size_t kept = std::min(length, width);
  // 'pre' keeps the end of the review (the last words are nearest the final hidden state)
  // and right-aligns it; 'post' keeps the beginning and left-aligns it.
  const std::int32_t* src = padding == Padding::pre ? ids + (length - kept) : ids;
  std::int32_t* dst = padding == Padding::pre ? out + (width - kept) : out;
  std::int32_t* pad = padding == Padding::pre ? out : out + kept;
  std::fill(pad, pad + (width - kept), kPadId);
  if (num_words > 0) {
    for (std::size_t i = 0; i < kept; ++i) dst[i] = src[i] >= num_words ? kOovId : src[i];
  } else {
    std::copy(src, src + kept, dst);
  }
}

}  // namespace rnnsent
