// Publishing a finished file so that a crash at any moment leaves either the old file or the
// new one, never a half-written one: the data is written to PATH.tmp by the caller, then
// flushed to disk (fsync), renamed over PATH, and the directory entry flushed too.
#pragma once

#include <string>

namespace rnnsent {

// fsync(tmp), rename(tmp, path), fsync(directory of path). Throws naming the file.
void publish_file(const std::string& tmp, const std::string& path);

// Writes text to path.tmp and publishes it.
void write_text_atomically(const std::string& path, const std::string& text);

}  // namespace rnnsent
