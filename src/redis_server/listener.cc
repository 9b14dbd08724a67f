#include "redis_server/listener.h"

#include "redis_server/shard.h"

namespace mr::redis_server {

namespace {

// Opens, binds and listens on the shard's thread, so the acceptor belongs to its event loop.
Status Open(ShardSet& shards, int shard_index, AcceptTarget target, const ListenOptions& options,
            uint64_t* id, uint16_t* port) {
  if (shard_index < 0 || shard_index >= shards.size()) {
    return Status::Error("no shard " + std::to_string(shard_index));
  }
  std::string error;
  shards.RunOn(shard_index, [&] {
    Shard& s = shards.shard(shard_index);
    boost::system::error_code ec;
    asio::ip::address addr = asio::ip::make_address(options.bind_address, ec);
    if (ec) {
      error = "invalid bind address '" + options.bind_address + "'";
      return;
    }
    tcp::endpoint ep(addr, options.port);
    std::string where = options.bind_address + ":" + std::to_string(options.port);
    tcp::acceptor acceptor(s.io());
    if (acceptor.open(ep.protocol(), ec); ec) {
      error = "cannot listen on " + where + ": " + ec.message();
      return;
    }
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (acceptor.bind(ep, ec); ec) {
      error = "cannot listen on " + where + ": " + ec.message();
      return;
    }
    if (acceptor.listen(options.backlog, ec); ec) {
      error = "cannot listen on " + where + ": " + ec.message();
      return;
    }
    *port = acceptor.local_endpoint(ec).port();
    *id = s.AddAcceptor(std::move(acceptor), target);
  });
  if (!error.empty()) {
    return Status::Error(error);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Listener>> Listener::Dedicated(ShardSet& shards, int shard,
                                                      engine::Instance* inst,
                                                      const ListenOptions& options) {
  uint64_t id = 0;
  uint16_t port = 0;
  auto opened = Open(shards, shard, AcceptTarget{inst, nullptr}, options, &id, &port);
  if (!opened.ok()) {
    return opened;
  }
  return std::unique_ptr<Listener>(new Listener(&shards, shard, id, port));
}

Result<std::unique_ptr<Listener>> Listener::Shared(ShardSet& shards,
                                                   const InstanceDirectory& directory,
                                                   const ListenOptions& options,
                                                   int accept_shard) {
  uint64_t id = 0;
  uint16_t port = 0;
  auto opened = Open(shards, accept_shard, AcceptTarget{nullptr, &directory}, options, &id, &port);
  if (!opened.ok()) {
    return opened;
  }
  return std::unique_ptr<Listener>(new Listener(&shards, accept_shard, id, port));
}

Listener::~Listener() { Close(); }

void Listener::SetRefusal(std::string error) {
  if (closed_) {
    return;
  }
  shards_->RunOn(shard_, [&] { shards_->shard(shard_).SetAcceptRefusal(id_, std::move(error)); });
}

void Listener::Close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  shards_->RunOn(shard_, [this] { shards_->shard(shard_).CloseAcceptor(id_); });
}

}  // namespace mr::redis_server
