// The output directory's bookkeeping without a training run: the lock refuses a second holder
// and frees on release, pruning never removes the checkpoint just written, and which
// checkpoints count as another run's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "launch/lib/run_dir.hpp"
#include "tests/io/temp_dir.hpp"

namespace rnnsent {
namespace {

namespace fs = std::filesystem;

void touch_checkpoints(const std::string& dir, std::initializer_list<int> steps) {
  fs::create_directories(checkpoint_dir(dir));
  for (int s : steps) std::ofstream(checkpoint_path(dir, s)) << "x";
}

std::string names(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) out += fs::path(p).filename().string() + " ";
  return out;
}

TEST(RunLockTest, ASecondHolderIsRefusedWithThePidAndTheLockFreesOnRelease) {
  const std::string dir = testing_support::fresh_dir("lock").string();
  auto first = std::make_unique<RunLock>(dir);
  try {
    RunLock second(dir);  // flock conflicts across open files, even in one process
    FAIL() << "a second lock was granted";
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("output_dir " + dir + " is in use by another run (process " +
                     std::to_string(::getpid())),
              std::string::npos)
        << m;
  }
  first.reset();
  EXPECT_NO_THROW(RunLock again(dir));
}

TEST(RunDirTest, PruningKeepsTheNewestAndNeverTheJustWrittenOne) {
  const std::string dir = testing_support::fresh_dir("prune").string();
  touch_checkpoints(dir, {5, 10, 40, 80});
  // A run resumed from step 5 has just written step 7; 40 and 80 are newer (another run's).
  touch_checkpoints(dir, {7});
  prune_checkpoints(dir, 2, checkpoint_path(dir, 7));
  EXPECT_EQ(names(list_checkpoints(dir)), "ckpt-0000000080.h5 ckpt-0000000007.h5 ");
  prune_checkpoints(dir, 1, checkpoint_path(dir, 7));
  EXPECT_EQ(names(list_checkpoints(dir)), "ckpt-0000000007.h5 ");
}

TEST(RunDirTest, ForeignCheckpointsAreAllForAFreshRunAndTheNewerOnesForAResume) {
  const std::string dir = testing_support::fresh_dir("foreign").string();
  touch_checkpoints(dir, {10, 20, 30});
  EXPECT_EQ(names(foreign_checkpoints(dir, "", 0)),
            "ckpt-0000000030.h5 ckpt-0000000020.h5 ckpt-0000000010.h5 ");
  EXPECT_EQ(names(foreign_checkpoints(dir, checkpoint_path(dir, 20), 20)), "ckpt-0000000030.h5 ");
  // Resumed from a checkpoint elsewhere: everything here belongs to another run.
  EXPECT_EQ(foreign_checkpoints(dir, "/elsewhere/ckpt-0000000020.h5", 20).size(), 3u);
  const std::string aside = move_aside(foreign_checkpoints(dir, "", 0), dir);
  EXPECT_EQ(fs::path(aside).filename(), "checkpoints.replaced-1");
  EXPECT_TRUE(list_checkpoints(dir).empty());
  EXPECT_TRUE(fs::exists(aside + "/ckpt-0000000030.h5"));
}

}  // namespace
}  // namespace rnnsent
