// Turns variable-length reviews into the fixed [N, maxlen] id matrix the model eats, as
// Keras's pad_sequences does: padding and truncation 'pre' (keep the end of the review, pad
// at the front) or 'post'; ids >= num_words become kOovId.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rnnsent {

enum class Padding { pre, post };
Padding parse_padding(const std::string& value);  // "pre" | "post"; throws naming the value
std::string padding_name(Padding padding);

// Writes one row out[0, maxlen) from ids[0, length): truncation and padding on the same side.
void pad_sequence(const std::int32_t* ids, std::size_t length, int maxlen, Padding padding,
                  std::int32_t num_words, std::int32_t* out);

}  // namespace rnnsent
