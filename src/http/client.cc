#include "http/client.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace mr::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool ParseHttpUrl(const std::string& url, std::string* host, std::string* port,
                  std::string* target) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    return false;
  }
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  *target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos) {
    *host = authority;
    *port = "80";
  } else {
    *host = authority.substr(0, colon);
    *port = authority.substr(colon + 1);
  }
  return !host->empty() && !port->empty();
}

// Keep-alive connections by host:port. Each belongs to one io_context: the pool's (SendAsync)
// or one caller thread's (Send).
struct IdleConnections {
  size_t max_per_host = 64;
  mutable std::mutex mu;
  std::map<std::string, std::vector<std::unique_ptr<beast::tcp_stream>>> by_host;

  std::unique_ptr<beast::tcp_stream> Take(const std::string& key) {
    std::lock_guard lock(mu);
    auto& v = by_host[key];
    if (v.empty()) {
      return nullptr;
    }
    auto s = std::move(v.back());
    v.pop_back();
    return s;
  }

  void Return(const std::string& key, std::unique_ptr<beast::tcp_stream> s) {
    std::lock_guard lock(mu);
    auto& v = by_host[key];
    if (v.size() < max_per_host) {
      v.push_back(std::move(s));
    }
  }

  size_t size() const {
    std::lock_guard lock(mu);
    size_t n = 0;
    for (const auto& [k, v] : by_host) {
      n += v.size();
    }
    return n;
  }
};

// A blocking Send runs its exchange on the calling thread, in that thread's own io_context with
// its own connections: no hand-off to the pool's thread and back, which cost two context
// switches per call (a third of a proxied request's CPU).
struct CallerLoop {
  asio::io_context ioc{1};
  IdleConnections idle;
};

struct ClientPool::Impl : std::enable_shared_from_this<ClientPool::Impl> {
  ClientOptions opts;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
  std::vector<std::thread> threads;
  IdleConnections idle;
  std::atomic<size_t> opened{0};
  mutable std::mutex loops_mu;
  std::map<std::thread::id, std::unique_ptr<CallerLoop>> caller_loops;

  CallerLoop& LoopOfThisThread() {
    std::lock_guard lock(loops_mu);
    auto& loop = caller_loops[std::this_thread::get_id()];
    if (!loop) {
      loop = std::make_unique<CallerLoop>();
      loop->idle.max_per_host = opts.max_idle_per_host;
    }
    return *loop;
  }

  asio::awaitable<Result<ClientResponse>> Exchange(asio::io_context& ctx, IdleConnections& pool,
                                                   ClientRequest req);
};

asio::awaitable<Result<ClientResponse>> ClientPool::Impl::Exchange(asio::io_context& ctx,
                                                                   IdleConnections& pool,
                                                                   ClientRequest req) {
  std::string host, port, target;
  if (!ParseHttpUrl(req.url, &host, &port, &target)) {
    co_return Status::Error("invalid URL '" + req.url + "' (expected http://host:port/path)");
  }
  std::string key = host + ":" + port;
  auto deadline = std::chrono::steady_clock::now() + req.timeout;
  bhttp::request<bhttp::string_body> out{bhttp::string_to_verb(req.method), target, 11};
  if (out.method() == bhttp::verb::unknown) {
    co_return Status::Error("invalid HTTP method '" + req.method + "'");
  }
  out.set(bhttp::field::host, key);
  for (const auto& [k, v] : req.headers) {
    out.set(k, v);
  }
  out.body() = req.body;
  out.keep_alive(true);
  out.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    auto stream = pool.Take(key);
    bool reused = stream != nullptr;
    if (!stream) {
      tcp::resolver resolver(ctx);
      auto [rec, results] = co_await resolver.async_resolve(host, port, kTuple);
      if (rec) {
        co_return Status::Error("cannot resolve " + key + ": " + rec.message());
      }
      stream = std::make_unique<beast::tcp_stream>(ctx);
      stream->expires_after(std::min<std::chrono::steady_clock::duration>(
          opts.connect_timeout, deadline - std::chrono::steady_clock::now()));
      auto [cec, ep] = co_await stream->async_connect(results, kTuple);
      if (cec) {
        co_return Status::Error("connect to " + key + " failed: " + cec.message());
      }
      ++opened;
    }
    stream->expires_at(deadline);
    auto [wec, wn] = co_await bhttp::async_write(*stream, out, kTuple);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(opts.max_response_bytes);
    boost::system::error_code ec = wec;
    if (!ec) {
      std::tie(ec, wn) = co_await bhttp::async_read(*stream, buffer, parser, kTuple);
    }
    if (ec) {
      // A pooled connection the server closed while idle: try once more on a fresh one.
      bool stale = reused && (ec == bhttp::error::end_of_stream ||
                              ec == asio::error::connection_reset || ec == asio::error::broken_pipe);
      if (stale && attempt == 0) {
        continue;
      }
      if (ec == beast::error::timeout) {
        co_return Status::Error(req.method + " " + req.url + ": timed out after " +
                                std::to_string(req.timeout.count()) + " ms");
      }
      co_return Status::Error(req.method + " " + req.url + " failed: " + ec.message());
    }
    auto& in = parser.get();
    ClientResponse resp;
    resp.status = static_cast<int>(in.result_int());
    for (const auto& f : in) {
      resp.headers[std::string(f.name_string())] = std::string(f.value());
    }
    resp.body = std::move(in.body());
    if (in.keep_alive()) {
      stream->expires_never();
      pool.Return(key, std::move(stream));
    }
    co_return resp;
  }
  co_return Status::Error(req.method + " " + req.url + " failed: connection closed by server");
}

ClientPool::ClientPool(ClientOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->opts = options;
  impl_->idle.max_per_host = options.max_idle_per_host;
  for (int i = 0; i < std::max(1, options.io_threads); ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->ioc.run(); });
  }
}

ClientPool::~ClientPool() {
  impl_->guard.reset();
  {
    std::lock_guard lock(impl_->idle.mu);
    impl_->idle.by_host.clear();
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    t.join();
  }
}

void ClientPool::SendAsync(ClientRequest request,
                           std::function<void(Result<ClientResponse>)> done) {
  asio::co_spawn(impl_->ioc, impl_->Exchange(impl_->ioc, impl_->idle, std::move(request)),
                 [done = std::move(done)](std::exception_ptr e, Result<ClientResponse> r) {
                   if (e) {
                     done(Status::Error("HTTP client failed unexpectedly"));
                     return;
                   }
                   done(std::move(r));
                 });
}

Result<ClientResponse> ClientPool::Send(const ClientRequest& request) {
  CallerLoop& loop = impl_->LoopOfThisThread();
  std::optional<Result<ClientResponse>> out;
  asio::co_spawn(loop.ioc, impl_->Exchange(loop.ioc, loop.idle, request),
                 [&out](std::exception_ptr e, Result<ClientResponse> r) {
                   out = e ? Result<ClientResponse>(
                                 Status::Error("HTTP client failed unexpectedly"))
                           : std::move(r);
                 });
  loop.ioc.restart();
  loop.ioc.run();  // returns when the exchange is done: nothing else runs in this context
  return std::move(*out);
}

size_t ClientPool::connections_opened() const { return impl_->opened; }

size_t ClientPool::idle_connections() const {
  size_t n = impl_->idle.size();
  std::lock_guard lock(impl_->loops_mu);
  for (const auto& [thread, loop] : impl_->caller_loops) {
    n += loop->idle.size();
  }
  return n;
}

}  // namespace mr::http
