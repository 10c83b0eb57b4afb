// Comparing every rank's job with rank 0's; see same_job.hpp. Only collectives whose shape
// does not depend on the config are used (a length, then the bytes), so a mismatched rank
// cannot itself desynchronise the check.
#include "launch/lib/same_job.hpp"

#include <climits>
#include <sstream>
#include <vector>

namespace rnnsent {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string broadcast_text(const std::string& text, int root, const dist::Session& session) {
  int n = int(text.size());
  session.broadcast(&n, 1, root);
  std::string out = text;
  out.resize(std::size_t(n));
  session.broadcast(out.data(), out.size(), root);
  return out;
}

// "units = 12 on rank 1, units = 64 on rank 0", from the first line that differs.
std::string first_difference(const std::string& mine, const std::string& root_text, int rank) {
  const std::vector<std::string> a = lines_of(mine), b = lines_of(root_text);
  for (std::size_t i = 0; i < a.size() || i < b.size(); ++i) {
    const std::string x = i < a.size() ? a[i] : "(nothing)";
    const std::string y = i < b.size() ? b[i] : "(nothing)";
    if (x != y) return x + " on rank " + std::to_string(rank) + ", " + y + " on rank 0";
  }
  return "";
}

}  // namespace

void check_same_job(const std::string& description, const dist::Session& session) {
  if (session.size() == 1) return;
  const std::string root_text = broadcast_text(description, 0, session);
  const std::string difference = first_difference(description, root_text, session.rank());
  const int first = session.allreduce_min(difference.empty() ? INT_MAX : session.rank());
  if (first == INT_MAX) return;
  const std::string what = broadcast_text(difference, first, session);
  throw JobError("the ranks do not run the same job: " + what +
                 " (every rank needs the same flags, config and dataset)");
}

}  // namespace rnnsent
