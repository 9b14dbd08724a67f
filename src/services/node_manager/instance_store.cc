#include "services/node_manager/instance_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace mr::services {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

Status WriteFileDurably(const fs::path& path, const std::string& data) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Error("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // the rename itself must survive a crash
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace

std::string RecordToJson(const InstanceRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["memory_limit_mb"] = r.spec.memory_limit_mb;
  o["eviction_policy"] = r.spec.eviction_policy;
  o["persistence"] = std::string(PersistenceName(r.spec.persistence));
  o["dedicated_port"] = r.spec.dedicated_port;
  o["max_clients"] = r.spec.max_clients;
  o["max_ops_per_sec"] = r.spec.max_ops_per_sec;
  o["password_hash"] = r.password_hash;
  o["port"] = r.port;
  o["running"] = r.running;
  o["created_at_ms"] = r.created_at_ms;
  o["updated_at_ms"] = r.updated_at_ms;
  return json::serialize(o);
}

Result<InstanceRecord> RecordFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Status::Error("not a JSON object");
  }
  const auto& o = v.as_object();
  InstanceRecord r;
  try {
    r.id = json::value_to<std::string>(o.at("id"));
    r.spec.memory_limit_mb = o.at("memory_limit_mb").to_number<int64_t>();
    r.spec.eviction_policy = json::value_to<std::string>(o.at("eviction_policy"));
    std::string persistence = json::value_to<std::string>(o.at("persistence"));
    if (!ParsePersistence(persistence, &r.spec.persistence)) {
      return Status::Error("unknown persistence '" + persistence + "'");
    }
    r.spec.dedicated_port = o.at("dedicated_port").as_bool();
    r.spec.max_clients = o.at("max_clients").to_number<int64_t>();
    r.spec.max_ops_per_sec = o.at("max_ops_per_sec").to_number<int64_t>();
    r.password_hash = json::value_to<std::string>(o.at("password_hash"));
    r.port = o.at("port").to_number<uint16_t>();
    r.running = o.at("running").as_bool();
    r.created_at_ms = o.at("created_at_ms").to_number<int64_t>();
    r.updated_at_ms = o.at("updated_at_ms").to_number<int64_t>();
  } catch (const std::exception& e) {
    // Boost.JSON's accessors throw on a missing key or a wrong type: this is a cold path.
    return Status::Error(std::string("malformed record: ") + e.what());
  }
  if (!IsValidInstanceId(r.id)) {
    return Status::Error("invalid instance id '" + r.id + "'");
  }
  return r;
}

Status InstanceStore::Save(const InstanceRecord& r) const {
  std::error_code ec;
  fs::create_directories(DirOf(r.id), ec);
  if (ec) {
    return Status::Error("cannot create " + DirOf(r.id).string() + ": " + ec.message());
  }
  return WriteFileDurably(DirOf(r.id) / "instance.json", RecordToJson(r));
}

Status InstanceStore::Remove(const std::string& id) const {
  if (!IsValidInstanceId(id)) {
    return Status::Error("invalid instance id");
  }
  std::error_code ec;
  fs::remove_all(DirOf(id), ec);
  if (ec) {
    return Status::Error("cannot remove " + DirOf(id).string() + ": " + ec.message());
  }
  return Status::Ok();
}

InstanceStore::Loaded InstanceStore::LoadAll() const {
  Loaded out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir_, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (!it->is_directory()) {
      continue;
    }
    fs::path file = it->path() / "instance.json";
    std::ifstream in(file);
    if (!in) {
      out.problems.push_back(it->path().string() + ": no instance.json");
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto rec = RecordFromJson(text.str());
    if (!rec.ok()) {
      out.problems.push_back(file.string() + ": " + rec.error());
      continue;
    }
    if (rec->id != it->path().filename().string()) {
      out.problems.push_back(file.string() + ": id '" + rec->id + "' does not match its folder");
      continue;
    }
    out.records.push_back(std::move(*rec));
  }
  if (ec) {
    out.problems.push_back(dir_.string() + ": " + ec.message());
  }
  return out;
}

}  // namespace mr::services
