// The one way rnnsent writes JSON (rnnsent_predict, rnnsent_eval, summary.json): nlohmann-json,
// so strings are escaped and strictly valid UTF-8 (bytes that are not - overlong forms,
// surrogates, 0xF5-0xFF - become U+FFFD) and non-finite numbers are null, never `nan`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace rnnsent {

using Json = nlohmann::ordered_json;  // keys in the order they are set

// indent < 0: one line; else pretty-printed with that many spaces.
inline std::string json_text(const Json& value, int indent = -1) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace rnnsent
