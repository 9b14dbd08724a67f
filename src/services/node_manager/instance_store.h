// node-manager's durable record of its instances: DATA_DIR/instances/<id>/instance.json holds the
// spec, the port and the desired state, written atomically so a crash never leaves half a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "services/node_manager/instance_spec.h"

namespace mr::services {

struct InstanceRecord {
  std::string id;
  InstanceSpec spec;            // spec.password is empty here: only the hash is kept
  std::string password_hash;    // see HashInstancePassword
  uint16_t port = 0;            // 0: shared port only
  bool running = true;          // desired state: started or stopped by the API
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

std::string RecordToJson(const InstanceRecord& r);
Result<InstanceRecord> RecordFromJson(std::string_view json);

class InstanceStore {
 public:
  explicit InstanceStore(std::filesystem::path instances_dir) : dir_(std::move(instances_dir)) {}

  std::filesystem::path DirOf(const std::string& id) const { return dir_ / id; }
  /// Writes instance.json via a temp file, fsync and rename (and fsyncs the folder).
  Status Save(const InstanceRecord& r) const;
  /// Removes the instance's folder with all its data.
  Status Remove(const std::string& id) const;

  struct Loaded {
    std::vector<InstanceRecord> records;
    std::vector<std::string> problems;  // unreadable records, reported, never silently dropped
  };
  Loaded LoadAll() const;

 private:
  std::filesystem::path dir_;
};

}  // namespace mr::services
